variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "jwt-authorizer-okta"
}

variable "okta_domain" {
  description = "Okta org domain, for example dev-123456.okta.com; the issuer is its default authorization server https://DOMAIN/oauth2/default."
  type        = string
}

variable "architecture" {
  description = "Lambda architecture; dist/ARCH/{authorizer,hello}.zip must exist at the module root."
  type        = string
  default     = "arm64"
}

variable "required_scopes" {
  description = "Scopes every token must carry."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
