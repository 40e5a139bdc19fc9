-- ubl: UBL 2.1 invoices and credit notes (Peppol BIS Billing 3.0, NLCIUS / SI-UBL 2.0).
return {
  name = "ubl",
  version = "1.0.0",
  api_version = 1,
  kinds = { "importer" },
  description = "Imports UBL 2.1 Invoice and CreditNote documents (Peppol BIS Billing 3.0, " ..
                "NLCIUS): number, dates, payable amount and VAT, payment reference, the buyer " ..
                "as debtor and the supplier's name and IBAN; a negative invoice becomes a " ..
                "credit note. Pure parsing: the host books what parse() returns.",
  needs = {},
}
