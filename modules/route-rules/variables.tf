variable "routes" {
  description = <<-EOT
    The authorizer's routes, keyed "VERB /path" as modules/authorizer takes them ({proxy+} written as a final /*):
    scopes the token must all carry, groups it must hold one of (empty: none needed), issuers (keys of the issuers map) it may come from (empty: all).
  EOT
  type = map(object({
    scopes  = optional(list(string), [])
    issuers = optional(list(string), [])
    groups  = optional(list(string), [])
  }))
}

variable "bound" {
  description = "Path parameters the issuers bind to a claim (modules/authorizer's issuers[*].path_claims keys), written like {userId} as the token's own value."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "issuers" {
  description = "Names of the configured issuers (modules/authorizer's issuers keys); a route that names none accepts them all."
  type        = list(string)
}
