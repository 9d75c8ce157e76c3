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

variable "issuer" {
  description = "Override of the issuer URL; null uses the default authorization server https://OKTA_DOMAIN/oauth2/default. A custom authorization server is https://OKTA_DOMAIN/oauth2/SERVER_ID; local runs use a loopback issuer such as http://127.0.0.1:PORT/oauth2/default."
  type        = string
  default     = null
}

variable "audiences" {
  description = "Audiences (aud) a token must carry: the authorization server's audience setting (api://default for the default server)."
  type        = list(string)
  default     = ["api://default"]
}

variable "architecture" {
  description = "Lambda architecture; dist/ARCH/{authorizer,hello}.zip must exist at the module root."
  type        = string
  default     = "arm64"
}

variable "authorizer_package" {
  description = "Path of the authorizer zip; null uses the module's dist/ARCH/authorizer.zip."
  type        = string
  default     = null
}

variable "hello_package" {
  description = "Path of the hello zip; null uses the module's dist/ARCH/hello.zip."
  type        = string
  default     = null
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
