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
