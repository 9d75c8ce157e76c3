################################################################################
# Naming and tags
################################################################################

variable "name" {
  description = "Name prefix of every resource: NAME (REST API), NAME-authorizer, NAME-hello, NAME-authorizer-keys. Letters, digits, '-' and '_', at most 37 characters so every derived name fits."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,36}$", var.name))
    error_message = "The name must be 1-37 characters of letters, digits, '-' and '_', starting with a letter or digit."
  }
}

variable "tags" {
  description = "Tags applied to every resource that supports them."
  type        = map(string)
  default     = {}
}

################################################################################
# Token validation: the authorizer's settings (see modules/authorizer)
# null leaves a setting to the function's default, named in each description.
################################################################################

variable "issuers" {
  description = "Trusted issuers, keyed by a short name: issuer (exact iss; https, http only for loopback), jwks_url (null: discovered), audiences and/or client_ids (one is required), token_use (null: not checked), user_id_claim (null: sub), groups_claim, path_claims and context_claims (docs/claims.md). See modules/authorizer."
  type = map(object({
    issuer         = string
    jwks_url       = optional(string)
    audiences      = optional(list(string), [])
    client_ids     = optional(list(string), [])
    token_use      = optional(string)
    user_id_claim  = optional(string)
    groups_claim   = optional(list(string))
    path_claims    = optional(map(string))
    context_claims = optional(map(string))
  }))
}

variable "create_hello" {
  description = "Create the example hello function and its route (hello_route). false: the API serves only var.routes, and no hello package is needed."
  type        = bool
  default     = true
}

variable "hello_route" {
  description = "The route of the hello function: its key (\"VERB /path\" with {userId}), the scopes it requires and the issuers allowed on it (empty: all; exactly one with two or more issuers)."
  type = object({
    key     = optional(string, "GET /hello/{userId}")
    scopes  = optional(list(string), [])
    issuers = optional(list(string), [])
  })
  default  = {}
  nullable = false
}

variable "hello_issuers" {
  description = "Names (keys of issuers) of the issuers whose users hello answers, its ISSUER_NAMES: hello refuses (403) a request whose authorizer context names another issuer, as it refuses another user's path, because two issuers may mint the same user id for different people. null: hello_route.issuers; empty: any issuer. When routes also point at hello, list their issuers too."
  type        = list(string)
  default     = null

  validation {
    condition     = alltrue([for n in coalesce(var.hello_issuers, []) : can(regex("^[A-Za-z0-9_-]{1,64}$", n))])
    error_message = "Each hello issuer is an issuer name: 1 to 64 of letters, digits, '_' and '-'."
  }
}

variable "routes" {
  description = "More routes of the API, keyed \"VERB /path\", each to a Lambda function or an HTTP URL with its scopes, groups and issuers (see modules/rest-api)."
  type = map(object({
    function_name        = optional(string)
    invoke_arn           = optional(string)
    qualifier            = optional(string)
    http_url             = optional(string)
    timeout_milliseconds = optional(number)
    scopes               = optional(list(string), [])
    issuers              = optional(list(string), [])
    groups               = optional(list(string), [])
  }))
  default  = {}
  nullable = false
}

variable "required_scopes" {
  description = "Scopes every token must carry, whatever its issuer and route."
  type        = list(string)
  default     = []
}

variable "allowed_algorithms" {
  description = "JWS algorithms accepted (alg header); null uses the function's default [\"RS256\"]."
  type        = list(string)
  default     = null
}

variable "key_cache_ttl_seconds" {
  description = "How long a fetched JWKS is trusted before it is fetched again; null uses the function's default 3600."
  type        = number
  default     = null
}

variable "keys_max_stale_seconds" {
  description = "How long past their TTL keys may still be served while the issuer fails; 0 never; null uses the function's default 86400."
  type        = number
  default     = null
}

variable "jwks_refetch_min_interval_seconds" {
  description = "Minimum time between two JWKS fetches triggered by an unknown kid, fleet-wide; 0 none; null uses the function's default 10."
  type        = number
  default     = null
}

variable "clock_skew_seconds" {
  description = "Leeway applied to exp, nbf and iat; null uses the function's default 60."
  type        = number
  default     = null
}

variable "jwks_fetch_timeout_ms" {
  description = "Timeout of one issuer fetch in milliseconds; null uses the function's default 2000. The authorizer's timeout must be at least 2 x this + 1 s."
  type        = number
  default     = null
}

variable "log_level" {
  description = "LOG_LEVEL of the authorizer (debug, info, warn, error); null uses the function's default info."
  type        = string
  default     = null
}

################################################################################
# API Gateway
################################################################################

variable "authorizer_result_ttl" {
  description = "Seconds API Gateway caches the authorizer's policy per token (0–3600; 0 disables the cache)."
  type        = number
  default     = 300
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
  description = "JSON access logs of the stage to a log group of this module. Needs the account's API Gateway CloudWatch role in cloudwatch_role_arn (modules/api-gateway-account creates it, once per account and region)."
  type = object({
    enabled             = optional(bool, false)
    cloudwatch_role_arn = optional(string)
    retention_in_days   = optional(number, 30)
    kms_key_arn         = optional(string)
    format              = optional(string)
  })
  default  = {}
  nullable = false
}

variable "cors" {
  description = "CORS for a browser client on one other origin (allow_origin, allow_headers with Authorization, allow_methods, max_age_seconds); null: off. See modules/rest-api. hello then sends the CORS headers itself (CORS_ALLOW_ORIGIN)."
  type = object({
    allow_origin    = string
    allow_headers   = optional(list(string), ["Authorization", "Content-Type"])
    allow_methods   = optional(list(string))
    max_age_seconds = optional(number, 600)
  })
  default = null
}

variable "gateway_responses" {
  description = "API Gateway's own 401/403 answers: WWW-Authenticate realm (null: name), unauthorized_message, access_denied_message; create = false keeps API Gateway's defaults. See modules/rest-api."
  type = object({
    create                = optional(bool, true)
    realm                 = optional(string)
    unauthorized_message  = optional(string, "Unauthorized")
    access_denied_message = optional(string, "The token is valid but does not grant access to this resource")
  })
  default  = {}
  nullable = false
}

################################################################################
# Lambda functions
################################################################################

variable "architecture" {
  description = "Instruction set of both functions; the packages must be built for it."
  type        = string
  default     = "arm64"
}

variable "authorizer_package" {
  description = "The authorizer zip: a local path (null: MODULE/dist/ARCH/authorizer.zip, written by `make package` or cmd/package), or an S3 object (s3_bucket, s3_key, optional s3_object_version)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
  })
  default  = {}
  nullable = false
}

variable "hello_package" {
  description = "The hello zip: a local path (null: MODULE/dist/ARCH/hello.zip, written by `make package` or cmd/package), or an S3 object (s3_bucket, s3_key, optional s3_object_version)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
  })
  default  = {}
  nullable = false
}

variable "authorizer_function" {
  description = "Sizing of the authorizer function. timeout must be at least 2 x jwks_fetch_timeout_ms + 1 s; provisioned_concurrent_executions above 0 publishes the function behind an alias."
  type = object({
    memory_size                       = optional(number, 128)
    timeout                           = optional(number, 6)
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
}

variable "tracing_enabled" {
  description = "Enable active X-Ray tracing on both functions and on the stage."
  type        = bool
  default     = false
}

variable "role_name_prefix" {
  description = "Prefix of the created IAM roles' names; null uses NAME-. The region is always appended, so the same name can be applied in two regions. At most 39 characters of letters, digits and +=,.@_- (IAM's 64 less \"authorizer-\" and the longest region)."
  type        = string
  default     = null

  validation {
    condition     = var.role_name_prefix == null || can(regex("^[\\w+=,.@-]{1,39}$", var.role_name_prefix))
    error_message = "role_name_prefix must be 1-39 characters of letters, digits and +=,.@_- (IAM role names are at most 64; the modules append \"authorizer-\" or \"hello-\" and the region)."
  }
}

variable "create_roles" {
  description = "Create least-privilege execution roles. When false, authorizer_role_arn and hello_role_arn name existing roles."
  type        = bool
  default     = true
}

variable "authorizer_role_arn" {
  description = "Existing execution role of the authorizer (create_roles = false). It needs dynamodb:GetItem and UpdateItem on the key table (and kms:Decrypt, Encrypt, GenerateDataKey on its customer key) and logs:CreateLogStream and logs:PutLogEvents on /aws/lambda/NAME-authorizer."
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
  description = "The key cache: create (a table NAME-authorizer-keys), or existing_table_name (a table you have, with existing_table_kms_key_arn if it uses a customer key), or neither (memory only). Point-in-time recovery is off by default: the table is a cache rebuilt from the issuer."
  type = object({
    create                         = optional(bool, true)
    existing_table_name            = optional(string)
    existing_table_kms_key_arn     = optional(string)
    point_in_time_recovery_enabled = optional(bool, false)
    server_side_encryption_enabled = optional(bool, true)
    kms_key_arn                    = optional(string)
    deletion_protection_enabled    = optional(bool, false)
  })
  default  = {}
  nullable = false
}

################################################################################
# Metrics, alarms and dashboard (docs/operations.md)
################################################################################

variable "metrics_namespace" {
  description = "CloudWatch namespace of the authorizer's EMF metrics (Verdicts, Denials, KeyLoads, ColdStartLoadMs); null uses JWTAuthorizer/NAME-authorizer. Rules in modules/authorizer."
  type        = string
  default     = null
}

variable "alarms" {
  description = "CloudWatch alarms of the authorizer and the stage, none unless create = true: errors, throttles, duration_p99, api_5xx, deny_rate, key_load_failures, each notifying actions (SNS topic ARNs) or its own. Attributes, defaults and rules: modules/authorizer's alarms; runbook: docs/operations.md."
  type = object({
    create              = optional(bool, false)
    actions             = optional(list(string), [])
    period              = optional(number, 60)
    evaluation_periods  = optional(number, 5)
    datapoints_to_alarm = optional(number, 3)
    errors = optional(object({
      enabled = optional(bool, true)
      actions = optional(list(string))
    }), {})
    throttles = optional(object({
      enabled = optional(bool, true)
      actions = optional(list(string))
    }), {})
    duration_p99 = optional(object({
      enabled      = optional(bool, true)
      threshold_ms = optional(number, 1000)
      actions      = optional(list(string))
    }), {})
    api_5xx = optional(object({
      enabled           = optional(bool, true)
      threshold_percent = optional(number, 1)
      actions           = optional(list(string))
    }), {})
    deny_rate = optional(object({
      enabled           = optional(bool, true)
      threshold_percent = optional(number, 50)
      min_verdicts      = optional(number, 20)
      actions           = optional(list(string))
    }), {})
    key_load_failures = optional(object({
      enabled   = optional(bool, true)
      threshold = optional(number, 0)
      actions   = optional(list(string))
    }), {})
  })
  default  = {}
  nullable = false
}

variable "dashboard" {
  description = "Create one CloudWatch dashboard (NAME-authorizer): verdicts, denials by reason, deny rate, key loads, cold start, the authorizer's invocations, errors, throttles and duration, the stage's 4XX, 5XX and latency."
  type        = bool
  default     = false
  nullable    = false
}
