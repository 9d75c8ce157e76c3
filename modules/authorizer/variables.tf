################################################################################
# Naming and tags
################################################################################

variable "name" {
  description = "Name of the authorizer: its function is NAME, its role NAME-REGION (see role_name_prefix), its key table NAME-keys. Letters, digits, '-' and '_', at most 48 characters so every derived name fits."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "The name must be 1-48 characters of letters, digits, '-' and '_', starting with a letter or digit."
  }
}

variable "role_name_prefix" {
  description = "Prefix of the created IAM role's name; null uses NAME-. The region is always appended, so the same name can be applied in two regions. At most 50 characters of letters, digits and +=,.@_- (IAM's 64 less the longest region)."
  type        = string
  default     = null

  validation {
    condition     = var.role_name_prefix == null || can(regex("^[\\w+=,.@-]{1,50}$", var.role_name_prefix))
    error_message = "role_name_prefix must be 1-50 characters of letters, digits and +=,.@_- (IAM role names are at most 64, and the region is appended)."
  }
}

variable "tags" {
  description = "Tags applied to every resource that supports them."
  type        = map(string)
  default     = {}
}

################################################################################
# API Gateway
################################################################################

variable "create_api_gateway_authorizer" {
  description = "Create the TOKEN authorizer on rest_api_id, for an API whose methods you manage. false: an API defined by an OpenAPI body (modules/rest-api) declares it from the api_gateway_authorizer output."
  type        = bool
  default     = true
  nullable    = false
}

variable "rest_api_id" {
  description = "ID of the REST API to create the TOKEN authorizer on (aws_api_gateway_rest_api.id); needed with create_api_gateway_authorizer."
  type        = string
  default     = null
}

variable "rest_api_execution_arn" {
  description = "Execution ARN of that REST API (aws_api_gateway_rest_api.execution_arn); scopes the Lambda permission to this authorizer."
  type        = string
}

variable "result_ttl_in_seconds" {
  description = "Seconds API Gateway caches the authorizer's policy per token (0-3600; 0 disables the cache)."
  type        = number
  default     = 300

  validation {
    condition     = var.result_ttl_in_seconds >= 0 && var.result_ttl_in_seconds <= 3600
    error_message = "The authorizer result TTL must be between 0 and 3600 seconds."
  }
}

variable "identity_validation_expression" {
  description = "Regular expression the Authorization header must match before the authorizer runs (default: Bearer JWT); null or empty invokes it for every request."
  type        = string
  default     = "^[Bb]earer [-0-9A-Za-z._~+/]+=*$"
}

################################################################################
# Token validation: the authorizer's settings (functions/internal/config)
# null leaves a setting to the function's default, named in each description.
################################################################################

variable "issuers" {
  description = <<-EOT
    Trusted issuers, keyed by a short name (the token's issuer picks its entry by exact iss match; routes name entries by key).
    issuer: exact iss, https (http only for 127.0.0.1, localhost, [::1]); jwks_url: null discovers it from ISSUER/.well-known/openid-configuration;
    audiences / client_ids: at least one is required (RFC 8725 3.9); token_use: null skips the check (Cognito: "access");
    user_id_claim: null uses the function's default "sub" (Okta: "uid").
    groups_claim: the claim holding the token's groups, one name (["cognito:groups"]) or the names of a nested claim
    (["realm_access", "roles"]), never split on dots; null: routes that name groups are never earned through this issuer.
    path_claims: path parameter => claim, bound like {userId} to the token's value ({ tenantId = "custom:tenant_id" }).
    context_claims: context key => claim forwarded to the backend ({ email = "email" }); docs/claims.md.
  EOT
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

  validation {
    condition     = length(var.issuers) > 0
    error_message = "Configure at least one issuer."
  }
  validation {
    condition     = alltrue([for k, _ in var.issuers : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "Issuer names (the map keys) must be 1-64 letters, digits, '-' or '_'."
  }
  validation {
    condition = alltrue([for _, i in var.issuers : alltrue([
      for u in compact([i.issuer, i.jwks_url]) :
      can(regex("^https://[^/?#@\\s]+", u)) || can(regex("^http://(127\\.[0-9]+\\.[0-9]+\\.[0-9]+|localhost|\\[::1\\])(:[0-9]+)?(/|$)", u))
    ])])
    error_message = "Every issuer and jwks_url must be an https URL (plain http only for loopback hosts: 127.0.0.0/8, localhost, [::1])."
  }
  validation {
    condition     = alltrue([for _, i in var.issuers : length(i.audiences) + length(i.client_ids) > 0])
    error_message = "Every issuer needs audiences or client_ids: without either, a token minted for any other app of the same issuer would be accepted (RFC 8725 3.9)."
  }
  validation {
    condition     = alltrue([for _, i in var.issuers : i.user_id_claim == null || can(regex("^[A-Za-z0-9_.:/-]{1,64}$", i.user_id_claim))])
    error_message = "A user_id_claim is 1-64 letters, digits or any of _ . : / - (sub, uid, email, custom:tenant_id, https://example.com/uid)."
  }
  validation {
    condition     = alltrue([for _, i in var.issuers : !contains(["iss", "aud", "exp", "nbf", "iat", "jti", "scp", "scope", "client_id", "cid", "token_use"], coalesce(i.user_id_claim, "sub"))])
    error_message = "A user_id_claim cannot be a registered or scope claim (iss, aud, exp, nbf, iat, jti, scp, scope, client_id, cid, token_use): none of them names a user. Use sub (the default) or the issuer's user claim (Okta: uid)."
  }
  validation {
    condition     = length(distinct([for _, i in var.issuers : i.issuer])) == length(var.issuers)
    error_message = "Two issuers entries have the same issuer URL."
  }
  validation {
    condition = alltrue([for _, i in var.issuers : i.groups_claim == null || (
      try(length(i.groups_claim) >= 1 && length(i.groups_claim) <= 4, false) &&
      alltrue([for n in coalesce(i.groups_claim, []) : can(regex("^[A-Za-z0-9_.:/-]{1,64}$", n))])
    )])
    error_message = "A groups_claim is 1 to 4 claim names (a nested claim: [\"realm_access\", \"roles\"]), each 1-64 letters, digits or any of _ . : / -."
  }
  validation {
    condition = alltrue([for _, i in var.issuers : length(coalesce(i.path_claims, {})) <= 8 && alltrue([for p, c in coalesce(i.path_claims, {}) :
      can(regex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", p)) && lower(p) != "userid" && can(regex("^[A-Za-z0-9_.:/-]{1,64}$", c)) &&
      !contains(["iss", "aud", "exp", "nbf", "iat", "jti", "scp", "scope", "client_id", "cid", "token_use"], c)
    ])])
    error_message = "path_claims holds at most 8 entries: a path parameter name ([A-Za-z_][A-Za-z0-9_]*, not userId, which user_id_claim binds) => a claim name as user_id_claim takes it (not a registered or scope claim)."
  }
  validation {
    condition = alltrue([for _, i in var.issuers : length(coalesce(i.context_claims, {})) <= 16 && alltrue([for k, c in coalesce(i.context_claims, {}) :
      can(regex("^[A-Za-z0-9_]{1,64}$", k)) && !contains(["userid", "scope", "clientid", "issuer", "issuername", "principalid", "integrationlatency"], lower(k)) && can(regex("^[A-Za-z0-9_.:/-]{1,64}$", c))
    ])])
    error_message = "context_claims holds at most 16 entries: a context key of 1-64 letters, digits or _ other than the authorizer's own and API Gateway's (userId, scope, clientId, issuer, issuerName, principalId, integrationLatency, in any case) => a claim name (1-64 letters, digits or any of _ . : / -)."
  }
}

variable "routes" {
  description = <<-EOT
    Routes the Allow policy can grant, keyed "VERB /path" (GET, POST, PUT, PATCH, DELETE or HEAD; no "*", no OPTIONS).
    A path holds {userId} at most once as a whole segment, after literal segments only (bound to the token's user id);
    other {params} become "*", except those an issuer binds (path_claims), written like {userId} as the token's value; a final "/*" ({proxy+}) may follow a literal segment or a bound parameter. scopes: all must be in the token; groups: the token holds at least one (groups_claim);
    issuers: the issuers keys allowed on the route (empty: all; exactly one for {userId} routes with two or more issuers).
    The policy allows the routes a token earns and denies the others; sets where that could reach another user's paths
    or hide an earned route are refused at plan (modules/route-rules, docs/security.md "Routes").
    null uses the function's default, GET /hello/{userId} for every issuer.
  EOT
  type = map(object({
    scopes  = optional(list(string), [])
    issuers = optional(list(string), [])
    groups  = optional(list(string), [])
  }))
  default = null

  validation {
    condition     = var.routes == null ? true : alltrue(flatten([for _, r in var.routes : [for s in r.scopes : can(regex("^[!#-\\[\\]-~]+$", s))]]))
    error_message = "Scopes are RFC 6749 scope tokens: visible ASCII without spaces, '\"' or '\\'."
  }
  validation {
    condition     = var.routes == null ? true : alltrue(flatten([for _, r in var.routes : [for g in r.groups : can(regex("^[!#-\\[\\]-~]+$", g))]]))
    error_message = "Group names follow the scope rule (a groups claim may be one space-separated string): visible ASCII without spaces, '\"' or '\\'."
  }
}

variable "required_scopes" {
  description = "Scopes every token must carry, whatever its issuer and route (REQUIRED_SCOPES)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.required_scopes : can(regex("^[!#-\\[\\]-~]+$", s))])
    error_message = "Scopes are RFC 6749 scope tokens: visible ASCII without spaces, '\"' or '\\'."
  }
}

variable "allowed_algorithms" {
  description = "JWS algorithms accepted (alg header); null uses the function's default [\"RS256\"]."
  type        = list(string)
  default     = null

  validation {
    condition     = var.allowed_algorithms == null ? true : length(var.allowed_algorithms) > 0 && alltrue([for a in var.allowed_algorithms : contains(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"], a)])
    error_message = "Algorithms must be among RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA (no none, no HMAC)."
  }
}

variable "key_cache_ttl_seconds" {
  description = "How long a fetched JWKS is trusted before it is fetched again (memory and DynamoDB); 1-604800; null uses the function's default 3600."
  type        = number
  default     = null

  validation {
    condition     = var.key_cache_ttl_seconds == null ? true : var.key_cache_ttl_seconds >= 1 && var.key_cache_ttl_seconds <= 604800 && floor(var.key_cache_ttl_seconds) == var.key_cache_ttl_seconds
    error_message = "key_cache_ttl_seconds must be an integer between 1 and 604800."
  }
}

variable "keys_max_stale_seconds" {
  description = "How long past their TTL held keys may still be served while the issuer fails (stale-if-error); 0 never; 0-604800; null uses the function's default 86400."
  type        = number
  default     = null

  validation {
    condition     = var.keys_max_stale_seconds == null ? true : var.keys_max_stale_seconds >= 0 && var.keys_max_stale_seconds <= 604800 && floor(var.keys_max_stale_seconds) == var.keys_max_stale_seconds
    error_message = "keys_max_stale_seconds must be an integer between 0 and 604800."
  }
}

variable "jwks_refetch_min_interval_seconds" {
  description = "Minimum time between two JWKS fetches triggered by an unknown kid (fleet-wide when a key table is used); 0 means no window; 0-604800; null uses the function's default 10."
  type        = number
  default     = null

  validation {
    condition     = var.jwks_refetch_min_interval_seconds == null ? true : var.jwks_refetch_min_interval_seconds >= 0 && var.jwks_refetch_min_interval_seconds <= 604800 && floor(var.jwks_refetch_min_interval_seconds) == var.jwks_refetch_min_interval_seconds
    error_message = "jwks_refetch_min_interval_seconds must be an integer between 0 and 604800."
  }
}

variable "clock_skew_seconds" {
  description = "Leeway applied to exp, nbf and iat; 0-3600; null uses the function's default 60."
  type        = number
  default     = null

  validation {
    condition     = var.clock_skew_seconds == null ? true : var.clock_skew_seconds >= 0 && var.clock_skew_seconds <= 3600 && floor(var.clock_skew_seconds) == var.clock_skew_seconds
    error_message = "clock_skew_seconds must be an integer between 0 and 3600."
  }
}

variable "jwks_fetch_timeout_ms" {
  description = "Timeout of one issuer fetch in milliseconds; 1-60000; null uses the function's default 2000. The function's timeout must be at least 2 x this + 1 s (the cold start's bound)."
  type        = number
  default     = null

  validation {
    condition     = var.jwks_fetch_timeout_ms == null ? true : var.jwks_fetch_timeout_ms >= 1 && var.jwks_fetch_timeout_ms <= 60000 && floor(var.jwks_fetch_timeout_ms) == var.jwks_fetch_timeout_ms
    error_message = "jwks_fetch_timeout_ms must be an integer between 1 and 60000."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the function: debug, info, warn or error; null uses the function's default info (denials are logged at warn with their reason)."
  type        = string
  default     = null

  validation {
    condition     = var.log_level == null ? true : contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

################################################################################
# Key cache table
################################################################################

variable "key_table" {
  description = <<-EOT
    Where the issuers' keys are shared across cold starts. create: a table of this module (NAME-keys);
    existing_table_name: a table you already have (string key PK, TTL attribute expires_at), with its customer KMS key ARN if any;
    neither: memory only. point_in_time_recovery_enabled is off by default: the cache is rebuilt from the issuer.
  EOT
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

  validation {
    condition     = !(var.key_table.create && var.key_table.existing_table_name != null)
    error_message = "Set key_table.create = false when key_table.existing_table_name names a table."
  }
}

################################################################################
# Lambda function
################################################################################

variable "architecture" {
  description = "Instruction set of the function; the package must be built for it."
  type        = string
  default     = "arm64"
}

variable "package" {
  description = "The authorizer's zip: a local path (null: MODULE/dist/ARCH/authorizer.zip, written by `make package` or cmd/package), or an S3 object (s3_bucket, s3_key, optional s3_object_version)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = (var.package.s3_bucket == null) == (var.package.s3_key == null) && !(var.package.path != null && var.package.s3_bucket != null)
    error_message = "Set either package.path or both package.s3_bucket and package.s3_key."
  }
}

variable "function" {
  description = "Sizing of the function. provisioned_concurrent_executions above 0 publishes it behind an alias."
  type = object({
    memory_size                       = optional(number, 128)
    timeout                           = optional(number, 6)
    reserved_concurrent_executions    = optional(number)
    provisioned_concurrent_executions = optional(number, 0)
  })
  default  = {}
  nullable = false
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group in days (a CloudWatch Logs value; 0 keeps logs forever)."
  type        = number
  default     = 30
}

variable "tracing_enabled" {
  description = "Enable active X-Ray tracing on the function."
  type        = bool
  default     = false
}

variable "create_role" {
  description = "Create a least-privilege execution role. When false, role_arn names an existing role."
  type        = bool
  default     = true
}

variable "role_arn" {
  description = "Existing execution role (create_role = false). It needs dynamodb:GetItem and UpdateItem on the key table (and kms:Decrypt, Encrypt, GenerateDataKey on its customer key), and logs:CreateLogStream and logs:PutLogEvents on /aws/lambda/NAME."
  type        = string
  default     = null
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the created role."
  type        = string
  default     = null
}

################################################################################
# Metrics, alarms and dashboard (docs/operations.md)
################################################################################

variable "metrics_namespace" {
  description = "CloudWatch namespace of the function's EMF metrics (Verdicts, Denials, KeyLoads, ColdStartLoadMs; docs/operations.md), its METRICS_NAMESPACE; null uses JWTAuthorizer/NAME. 1-255 letters, digits, space or . - _ / # :, not starting with AWS/."
  type        = string
  default     = null

  validation {
    condition     = var.metrics_namespace == null ? true : can(regex("^[0-9A-Za-z._/#: -]{1,255}$", var.metrics_namespace)) && !startswith(coalesce(var.metrics_namespace, "-"), "AWS/")
    error_message = "metrics_namespace must be 1-255 letters, digits, spaces or . - _ / # :, and must not start with AWS/ (CloudWatch reserves it)."
  }
}

variable "api" {
  description = "The REST API stage this authorizer guards, for the 5XX alarm and the dashboard's API widgets: name (the REST API's name, CloudWatch's ApiName) and stage. null leaves the API out of both."
  type = object({
    name  = string
    stage = string
  })
  default = null
}

variable "alarms" {
  description = <<-EOT
    CloudWatch alarms, none unless create = true. actions: SNS topic ARNs notified on ALARM and back to OK by every alarm;
    an alarm's own actions replace them. Each alarm has enabled (default true) and, where it has one, its threshold:
    errors (function errors beyond the refusals, which API Gateway needs as errors), throttles (> 0),
    duration_p99 (threshold_ms), api_5xx (threshold_percent of the stage's requests; needs api),
    deny_rate (threshold_percent of the verdicts that are denials, once min_verdicts verdicts come in a period),
    key_load_failures (issuer fetches that failed, stale keys served or none, above threshold).
    An alarm fires when datapoints_to_alarm of evaluation_periods periods of period seconds breach.
  EOT
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

  validation {
    condition = alltrue([for arn in concat(var.alarms.actions, flatten([
      for a in [var.alarms.errors, var.alarms.throttles, var.alarms.duration_p99, var.alarms.api_5xx, var.alarms.deny_rate, var.alarms.key_load_failures] : a.actions == null ? [] : a.actions
    ])) : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", arn))])
    error_message = "Alarm actions must be SNS topic ARNs (arn:aws:sns:REGION:ACCOUNT:TOPIC)."
  }
  validation {
    condition     = contains([10, 30, 60], var.alarms.period) || (var.alarms.period >= 60 && var.alarms.period % 60 == 0 && var.alarms.period <= 86400)
    error_message = "alarms.period must be 10, 30 or a multiple of 60 up to 86400 seconds."
  }
  validation {
    condition     = var.alarms.evaluation_periods >= 1 && var.alarms.datapoints_to_alarm >= 1 && var.alarms.datapoints_to_alarm <= var.alarms.evaluation_periods && floor(var.alarms.evaluation_periods) == var.alarms.evaluation_periods && floor(var.alarms.datapoints_to_alarm) == var.alarms.datapoints_to_alarm
    error_message = "alarms.datapoints_to_alarm must be an integer between 1 and alarms.evaluation_periods."
  }
  validation {
    condition     = var.alarms.period * var.alarms.evaluation_periods <= 86400
    error_message = "alarms.period x alarms.evaluation_periods must be at most one day (86400 s)."
  }
  validation {
    condition     = var.alarms.duration_p99.threshold_ms > 0 && var.alarms.api_5xx.threshold_percent > 0 && var.alarms.api_5xx.threshold_percent < 100 && var.alarms.deny_rate.threshold_percent > 0 && var.alarms.deny_rate.threshold_percent < 100 && var.alarms.deny_rate.min_verdicts >= 1 && var.alarms.key_load_failures.threshold >= 0
    error_message = "Thresholds: duration_p99.threshold_ms > 0; api_5xx and deny_rate threshold_percent strictly between 0 and 100; deny_rate.min_verdicts >= 1; key_load_failures.threshold >= 0."
  }
}

variable "dashboard" {
  description = "Create one CloudWatch dashboard (NAME): verdicts, denials by reason, deny rate, key loads, cold start load time, the function's invocations, errors, throttles and duration, and, with api, the stage's 4XX, 5XX and latency."
  type        = bool
  default     = false
  nullable    = false
}
