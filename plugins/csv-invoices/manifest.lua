-- csv-invoices: invoices from a CSV export, with a configurable column mapping.
return {
  name = "csv-invoices",
  version = "1.0.0",
  api_version = 1,
  kinds = { "importer" },
  description = "Imports invoices and credit notes from CSV (one line per invoice; RFC 4180 " ..
                "quoting, BOM, CRLF): Dutch and English headers recognised, or mapped with " ..
                "`columns`; amounts 1.234,56 / 1,234.56 read exactly, ambiguous ones refused. " ..
                "Pure parsing: the host books what parse() returns.",
  config = {
    columns = { type = "table", default = {},
                description = "our field name -> the header in the file, e.g. { number = \"Fact.nr\", " ..
                              "amount = \"Totaal incl.\" }; fields not given are found by their usual headers" },
    delimiter = { type = "string", default = "auto",
                  description = "auto (from the header line: ; , or tab), \";\", \",\" or \"tab\"" },
    decimal = { type = "string", default = "auto",
                description = "auto, \",\" or \".\": the decimal separator of amounts; auto refuses an " ..
                              "amount like 1.234 when nothing else in the file tells" },
    date_format = { type = "string", default = "auto",
                    description = "auto, dd-mm-yyyy, yyyy-mm-dd or dd/mm/yyyy" },
    currency = { type = "string", default = "EUR",
                 description = "the currency when the file has no currency column (or it is empty)" },
  },
  needs = {},
}
