variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource, the user pool included."
  type        = string
  default     = "jwt-authorizer-tenants"
}

variable "architecture" {
  description = "Lambda architecture; dist/ARCH/authorizer.zip must exist at the module root (go run ./cmd/package -arch ARCH -out dist)."
  type        = string
  default     = "arm64"
}

variable "orders_url" {
  description = "Base URL of the orders backend (HTTP_PROXY), without a trailing slash."
  type        = string
  default     = "https://orders.internal.example.com"
}

variable "jwks_url" {
  description = "JWKS URL template of the pool ({user_pool_id} is replaced); null uses Cognito's. Tests point it at moto."
  type        = string
  default     = null
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

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
