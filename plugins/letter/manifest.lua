return {
  name = "letter",
  version = "1.0.0",
  api_version = 1,
  kinds = { "channel" },
  description = "Puts letters as PDF files in an outgoing folder for a print-and-post service.",
  needs = {},
}
