variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource, the user pool included."
  type        = string
  default     = "jwt-authorizer-multi"
}

variable "architecture" {
  description = "Lambda architecture; dist/ARCH/{authorizer,hello}.zip must exist at the module root (go run ./cmd/package -arch ARCH -out dist)."
  type        = string
  default     = "arm64"
}

variable "okta_issuer" {
  description = "Issuer of the Okta authorization server, for example https://dev-123456.okta.com/oauth2/default (exactly the iss of its tokens)."
  type        = string
}

variable "okta_audience" {
  description = "Audience of the Okta authorization server's access tokens."
  type        = string
  default     = "api://default"
}

variable "okta_jwks_url" {
  description = "Override of Okta's JWKS URL; null discovers it from the issuer."
  type        = string
  default     = null
}

variable "cognito_jwks_url" {
  description = "Override of the Cognito JWKS URL; null discovers it from the pool's issuer. The text {user_pool_id} is replaced by the pool's id. Local runs against moto need MOTO_ENDPOINT/{user_pool_id}/.well-known/jwks.json, because moto serves the keys there while its tokens carry the real Cognito issuer."
  type        = string
  default     = null
}

variable "backend_url" {
  description = "Base URL of the HTTP backend serving /profiles, /staff/profiles, /status and /docs (HTTP_PROXY integrations), without a trailing slash."
  type        = string
  default     = "https://backend.example.com"

  validation {
    condition     = can(regex("^https?://[^/]+(/.*[^/])?$", var.backend_url))
    error_message = "backend_url must be an http(s) URL without a trailing slash."
  }
}

variable "authorizer_result_ttl" {
  description = "Seconds API Gateway caches the authorizer's verdict per token (0–3600)."
  type        = number
  default     = 300
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

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
