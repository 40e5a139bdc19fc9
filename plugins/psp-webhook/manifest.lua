-- psp-webhook: a payment service provider's callbacks, signed the way Stripe signs them.
return {
  name = "psp-webhook",
  version = "1.0.0",
  api_version = 1,
  kinds = { "connector" },
  description = "Books the payments a payment service provider reports by webhook " ..
                "(POST /hooks/psp-webhook/...), each event once, after checking its " ..
                "HMAC-SHA-256 signature and timestamp.",
  config = {
    signature_header = { type = "string", default = "psp-signature",
                         description = "the header with t=UNIX-SECONDS,v1=HEX-HMAC (Stripe: " ..
                                       "stripe-signature)" },
    tolerance_s = { type = "integer", default = 300,
                    description = "how far the signed timestamp may be from now, in seconds" },
    event_type = { type = "string", default = "payment.succeeded",
                   description = "the event type that books a payment; others are " ..
                                 "answered 200 and left alone" },
  },
  needs = { hosts = {}, secrets = { "PSP_WEBHOOK_SECRET" } },
}
