variable "routes" {
  description = <<-EOT
    The authorizer's routes, keyed "VERB /path" as modules/authorizer takes them ({proxy+} written as a final /*):
    scopes the token must all carry, issuers (keys of the issuers map) it may come from (empty: all).
  EOT
  type = map(object({
    scopes  = optional(list(string), [])
    issuers = optional(list(string), [])
  }))
}

variable "issuers" {
  description = "Names of the configured issuers (modules/authorizer's issuers keys); a route that names none accepts them all."
  type        = list(string)
}
