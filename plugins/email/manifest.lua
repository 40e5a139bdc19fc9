return {
  name = "email",
  version = "1.0.0",
  api_version = 1,
  kinds = { "channel" },
  description = "Delivers letters by e-mail over SMTP (STARTTLS when offered), the PDF attached.",
  config = {
    url = { type = "string", default = "smtp://127.0.0.1:25", host = true,
            description = "the SMTP server: smtp://host:port or smtps://host:port" },
    from = { type = "string", default = "debiteuren@example.invalid",
             description = "the sender address" },
    username_secret = { type = "string", default = "",
                        description = "name of the secret holding the SMTP user name" },
    password_secret = { type = "string", default = "",
                        description = "name of the secret holding the SMTP password" },
    bcc = { type = "list", default = {}, description = "copies for the archive" },
  },
  needs = { hosts = {}, secrets = { "SMTP_USERNAME", "SMTP_PASSWORD" } },
}
