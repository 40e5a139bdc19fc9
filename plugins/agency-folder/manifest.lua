return {
  name = "agency-folder",
  version = "1.0.0",
  api_version = 1,
  kinds = { "connector" },
  description = "Hands a case to a collection agency as a dossier folder (JSON and the letters' PDFs).",
  config = {
    agency = { type = "string", default = "incassobureau",
               description = "the agency's name, used in the folder name" },
  },
  needs = {},
}
