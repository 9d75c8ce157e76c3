variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource, the user pool included."
  type        = string
  default     = "jwt-authorizer-cognito"
}

variable "architecture" {
  description = "Lambda architecture; dist/ARCH/{authorizer,hello}.zip must exist at the module root (go run ./cmd/package -arch ARCH -out dist)."
  type        = string
  default     = "arm64"
}

variable "jwks_url" {
  description = "Override of the JWKS URL; null discovers it from the Cognito issuer. The text {user_pool_id} is replaced by the pool's id. Local runs against moto need MOTO_ENDPOINT/{user_pool_id}/.well-known/jwks.json, because moto serves the keys there while its tokens carry the real Cognito issuer."
  type        = string
  default     = null
}

variable "authorizer_result_ttl" {
  description = "Seconds API Gateway caches the authorizer's verdict per token (0–3600)."
  type        = number
  default     = 300
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
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

variable "web_origin" {
  description = "Origin of the browser page calling the API (scheme://host[:port], for example https://app.example.com); null: no CORS."
  type        = string
  default     = null
}

variable "hosted_ui_domain" {
  description = "Domain prefix of the Cognito hosted UI (https://PREFIX.auth.REGION.amazoncognito.com); null: no hosted UI."
  type        = string
  default     = null

  validation {
    condition     = var.hosted_ui_domain == null ? true : can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.hosted_ui_domain)) && !can(regex("aws|amazon|cognito", var.hosted_ui_domain))
    error_message = "The hosted UI domain prefix must be 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, without aws, amazon or cognito."
  }
}

variable "callback_url" {
  description = "URL of the web page the hosted UI returns to with the authorization code (also its sign-out URL); null: no OAuth flows on the app client. https, except http://localhost."
  type        = string
  default     = null

  validation {
    condition     = var.callback_url == null ? true : can(regex("^(https://[^/?#]+|http://localhost(:[0-9]+)?)(/[^#]*)?$", var.callback_url))
    error_message = "The callback URL must be https (http only for localhost) and have no fragment."
  }
}

# The one variable cmd/local sets (TF_VAR_local_run) when it runs this folder
# on moto (make demo does); null everywhere else.
variable "local_run" {
  description = "Set by `cmd/local up` for a local run on moto (docs/local.md): this machine's Lambda architecture, the folder of the packages built for it and moto's endpoint (the pool's JWKS URL). Leave null."
  type = object({
    architecture  = string
    packages      = string
    moto_endpoint = string
  })
  default = null
}
