################################################################################
# Naming and tags
################################################################################

variable "name" {
  description = "Name prefix of every resource: NAME (REST API), NAME-authorizer, NAME-hello, NAME-keys."
  type        = string
}

variable "tags" {
  description = "Tags applied to every resource that supports them."
  type        = map(string)
  default     = {}
}

################################################################################
# Token validation (authorizer settings)
################################################################################

variable "issuer" {
  description = "Expected iss claim; the JWKS is discovered from ISSUER/.well-known/openid-configuration unless jwks_url is set. Must be https (http only for loopback hosts: 127.0.0.1, localhost, [::1])."
  type        = string

  validation {
    condition     = can(regex("^https://[^/?#]+", var.issuer)) || can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/|$)", var.issuer))
    error_message = "The issuer must be an https URL (plain http is allowed only for 127.0.0.1, localhost and [::1])."
  }
}

variable "jwks_url" {
  description = "URL of the issuer's JWKS document; null discovers it from the issuer. Must be https (http only for loopback hosts)."
  type        = string
  default     = null

  validation {
    condition     = var.jwks_url == null || can(regex("^https://[^/?#]+", var.jwks_url)) || can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/|$)", var.jwks_url))
    error_message = "The jwks_url must be an https URL (plain http is allowed only for 127.0.0.1, localhost and [::1])."
  }
}

variable "audiences" {
  description = "Accepted aud values; a token passes if its aud holds any of them. Empty skips the check (use client_ids for Cognito access tokens)."
  type        = list(string)
  default     = []
}

variable "client_ids" {
  description = "Accepted client_id claim values (Cognito access tokens); empty skips the check."
  type        = list(string)
  default     = []
}

variable "token_use" {
  description = "Required token_use claim (Cognito: access or id); empty skips the check."
  type        = string
  default     = ""
}

variable "required_scopes" {
  description = "Scopes the token must all carry (scope or scp claim)."
  type        = list(string)
  default     = []
}

variable "user_id_claim" {
  description = "Claim holding the caller's user id, compared with the {userId} path parameter and returned as principalId."
  type        = string
  default     = "sub"
}

variable "allowed_routes" {
  description = "Routes the authorizer's Allow policy covers, as VERB/path templates holding {userId} exactly once (ALLOWED_ROUTES); empty uses the function's default GET/hello/{userId}."
  type        = list(string)
  default     = []
}

variable "allowed_algorithms" {
  description = "JWS algorithms accepted (alg header)."
  type        = list(string)
  default     = ["RS256"]
}

variable "key_cache_ttl_seconds" {
  description = "How long a fetched JWKS is trusted before it is fetched again (memory and DynamoDB)."
  type        = number
  default     = 3600
}

variable "jwks_refetch_min_interval_seconds" {
  description = "Minimum time between two JWKS fetches triggered by an unknown kid."
  type        = number
  default     = 10
}

variable "clock_skew_seconds" {
  description = "Leeway applied to exp, nbf and iat."
  type        = number
  default     = 60
}

variable "jwks_fetch_timeout_ms" {
  description = "Timeout of one JWKS or discovery fetch in milliseconds; must stay below the authorizer's timeout."
  type        = number
  default     = 2000
}

################################################################################
# API Gateway
################################################################################

variable "authorizer_result_ttl" {
  description = "Seconds API Gateway caches the authorizer's policy per token (0–3600; 0 disables the cache)."
  type        = number
  default     = 300

  validation {
    condition     = var.authorizer_result_ttl >= 0 && var.authorizer_result_ttl <= 3600
    error_message = "The authorizer result TTL must be between 0 and 3600 seconds."
  }
}

variable "identity_validation_expression" {
  description = "Regular expression the Authorization header must match before the authorizer runs (default: Bearer JWT); empty invokes it for every request."
  type        = string
  default     = "^[Bb]earer [-0-9A-Za-z._~+/]+=*$"
}

variable "stage_name" {
  description = "Name of the API stage."
  type        = string
  default     = "v1"
}

variable "throttling" {
  description = "Stage-wide throttling (burst and steady-state requests per second); null keeps the account defaults."
  type = object({
    burst_limit = number
    rate_limit  = number
  })
  default = null
}

variable "access_logs" {
  description = "JSON access logs of the stage to a log group of this module. Requires the account-wide API Gateway CloudWatch role to be set (see manage_api_gateway_account)."
  type = object({
    enabled           = optional(bool, false)
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
    format            = optional(string)
  })
  default  = {}
  nullable = false
}

variable "manage_api_gateway_account" {
  description = "ACCOUNT-GLOBAL: create the API Gateway CloudWatch role and set it as this account and region's API Gateway setting (aws_api_gateway_account). Enable in one stack per account and region only."
  type        = bool
  default     = false
}

################################################################################
# Lambda functions
################################################################################

variable "architecture" {
  description = "Instruction set of both functions; the packages must be built for it."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "The architecture must be arm64 or x86_64."
  }
}

variable "authorizer_package" {
  description = "Path of the authorizer zip; null uses MODULE/dist/ARCH/authorizer.zip as written by cmd/package."
  type        = string
  default     = null
}

variable "hello_package" {
  description = "Path of the hello zip; null uses MODULE/dist/ARCH/hello.zip as written by cmd/package."
  type        = string
  default     = null
}

variable "authorizer_function" {
  description = "Sizing of the authorizer function. timeout must exceed the JWKS fetch timeout; provisioned_concurrent_executions above 0 publishes the function behind an alias."
  type = object({
    memory_size                       = optional(number, 128)
    timeout                           = optional(number, 5)
    reserved_concurrent_executions    = optional(number)
    provisioned_concurrent_executions = optional(number, 0)
  })
  default  = {}
  nullable = false
}

variable "hello_function" {
  description = "Sizing of the hello function; provisioned_concurrent_executions above 0 publishes the function behind an alias."
  type = object({
    memory_size                       = optional(number, 128)
    timeout                           = optional(number, 3)
    reserved_concurrent_executions    = optional(number)
    provisioned_concurrent_executions = optional(number, 0)
  })
  default  = {}
  nullable = false
}

variable "log_retention_in_days" {
  description = "Retention of the functions' log groups in days (a CloudWatch Logs value; 0 keeps logs forever)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "tracing_enabled" {
  description = "Enable active X-Ray tracing on both functions and on the stage."
  type        = bool
  default     = false
}

variable "create_roles" {
  description = "Create least-privilege execution roles. When false, authorizer_role_arn and hello_role_arn name existing roles."
  type        = bool
  default     = true
}

variable "authorizer_role_arn" {
  description = "Existing execution role of the authorizer (create_roles = false). It needs dynamodb:GetItem and dynamodb:PutItem on the key table and logs:CreateLogStream and logs:PutLogEvents on /aws/lambda/NAME-authorizer."
  type        = string
  default     = null
}

variable "hello_role_arn" {
  description = "Existing execution role of hello (create_roles = false). It needs logs:CreateLogStream and logs:PutLogEvents on /aws/lambda/NAME-hello."
  type        = string
  default     = null
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the created roles."
  type        = string
  default     = null
}

################################################################################
# Key cache table
################################################################################

variable "key_table" {
  description = "Settings of the DynamoDB key cache table."
  type = object({
    point_in_time_recovery_enabled = optional(bool, true)
    server_side_encryption_enabled = optional(bool, true)
    kms_key_arn                    = optional(string)
    deletion_protection_enabled    = optional(bool, false)
  })
  default  = {}
  nullable = false
}
