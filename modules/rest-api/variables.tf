variable "name" {
  description = "Name of the REST API; also prefixes the authorizer, the access log group and the optional account role."
  type        = string
}

variable "description" {
  description = "Description of the REST API."
  type        = string
  default     = "REST API protected by a JWT TOKEN authorizer"
}

variable "routes" {
  description = <<-EOT
    The API's routes, keyed "VERB /path" (GET, POST, PUT, PATCH, DELETE or HEAD; up to 8 segments; a final {proxy+} is allowed).
    Each is protected by the TOKEN authorizer (authorizer) and goes to a Lambda function (function_name + invoke_arn, AWS_PROXY)
    or to an HTTP URL (http_url, HTTP_PROXY; its {params} are filled from the path). scopes, groups and issuers are what the
    authorizer requires on the route; pass the authorizer_routes output to modules/authorizer's routes.
  EOT
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

  validation {
    condition     = length(var.routes) > 0
    error_message = "Configure at least one route."
  }
  validation {
    condition = alltrue([for k, _ in var.routes : (
      can(regex("^(GET|POST|PUT|PATCH|DELETE|HEAD) (/|(/[^/]+){1,8})$", k)) &&
      alltrue([for i, s in compact(slice(split("/", k), 1, length(split("/", k)))) : (
        (can(regex("^[A-Za-z0-9._:-]+$", s)) && s != "." && s != "..") ||
        (can(regex("^\\{[A-Za-z_][A-Za-z0-9_]*\\}$", s)) && (lower(s) != "{userid}" || s == "{userId}")) ||
        (s == "{proxy+}" && i == length(split("/", k)) - 2)
      )]) &&
      length(regexall("\\{userId\\}", k)) <= 1
    )])
    error_message = "Each route key must be \"VERB /path\": VERB one of GET POST PUT PATCH DELETE HEAD; up to 8 segments, each literal (A-Z a-z 0-9 . _ - : as API Gateway allows, no . or ..) or a whole {param} of [A-Za-z_][A-Za-z0-9_]*; {userId} at most once and spelled so; {proxy+} only as the last segment."
  }
  validation {
    # API Gateway refuses a second variable under one parent ("A sibling
    # ({id}) of this resource already has a variable path part").
    condition = alltrue(flatten([for a, _ in var.routes : [for b, _ in var.routes : [
      for i in range(1, min(length(split("/", a)), length(split("/", b)))) :
      !(can(regex("^\\{", split("/", a)[i])) && can(regex("^\\{", split("/", b)[i])) && split("/", a)[i] != split("/", b)[i] &&
      join("/", slice(split("/", a), 1, i)) == join("/", slice(split("/", b), 1, i)))
    ]]]))
    error_message = "Two routes put different variables under one parent resource (as /users/{id} beside /users/{userId}, or /files/{name} beside /files/{proxy+}); API Gateway allows one variable per parent: use the same name."
  }
  validation {
    condition     = alltrue([for _, r in var.routes : (r.function_name != null && r.invoke_arn != null) != (r.http_url != null)])
    error_message = "Each route needs exactly one backend: function_name and invoke_arn (Lambda), or http_url (HTTP)."
  }
  validation {
    condition     = alltrue([for _, r in var.routes : r.http_url == null || can(regex("^https?://", r.http_url))])
    error_message = "http_url must be an http(s) URL."
  }
  validation {
    # API Gateway fills http_url's {name} from the method's path parameter of
    # that name; a parameter the URL leaves out would be lost to the backend.
    condition = alltrue([for k, r in var.routes : r.http_url == null || alltrue([
      for p in regexall("\\{([A-Za-z_][A-Za-z0-9_]*)\\+?\\}", k) : try(strcontains(r.http_url, "{${p[0]}}"), true)
    ])])
    error_message = "An http_url must hold each {param} of its route key (write {proxy} for {proxy+}), as \"GET /users/{userId}\" = { http_url = \"https://backend/users/{userId}\" }."
  }
  validation {
    # The integration must invoke the qualifier the permission is granted on.
    condition     = alltrue([for _, r in var.routes : r.qualifier == null || r.invoke_arn == null || endswith(coalesce(r.invoke_arn, "-"), ":${coalesce(r.qualifier, "-")}/invocations")])
    error_message = "A route's invoke_arn must be the invoke ARN of its qualifier (…:function:NAME:QUALIFIER/invocations), or the permission and the integration name different versions."
  }
  validation {
    condition     = alltrue([for _, r in var.routes : r.timeout_milliseconds == null || (coalesce(r.timeout_milliseconds, 50) >= 50 && coalesce(r.timeout_milliseconds, 50) <= 29000)])
    error_message = "timeout_milliseconds must be between 50 and 29000 (API Gateway's integration timeout; a longer one needs a quota increase for the account and is not supported here)."
  }
}

variable "forwarded_context_keys" {
  description = "Authorizer context keys (modules/authorizer's issuers[*].context_claims keys) each HTTP_PROXY route passes to its backend as the header X-Claim-<key> (\"_\" written \"-\"), beside X-User-Id, X-Issuer and X-Scope. A key the token lacks arrives empty or not at all."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.forwarded_context_keys : can(regex("^[A-Za-z0-9_]{1,64}$", k))])
    error_message = "Context keys are 1-64 letters, digits or _."
  }
}

variable "authorizer" {
  description = "The TOKEN authorizer every route uses, as modules/authorizer's api_gateway_authorizer output gives it: the body defines it as a security scheme (name), invoking invoke_arn (optionally as the credentials role) with the token of identity_header, checked against identity_validation_expression (null: none), its policy cached result_ttl_in_seconds."
  type = object({
    name                           = string
    invoke_arn                     = string
    credentials                    = optional(string)
    identity_header                = optional(string, "Authorization")
    identity_validation_expression = optional(string)
    result_ttl_in_seconds          = optional(number, 300)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.authorizer.name))
    error_message = "authorizer.name must be 1-128 letters, digits, _ or - (it names the body's security scheme)."
  }
}

variable "create_lambda_permissions" {
  description = "Grant API Gateway permission to invoke each route's function, scoped to this stage, the route's verb and its path."
  type        = bool
  default     = true
}

variable "permissions" {
  description = "How create_lambda_permissions grants API Gateway each function: per_route (one statement per route, its stage, verb and path: the tightest, up to about 60 routes per function before Lambda's 20 KB policy limit) or per_function (one statement per function for any route of this stage: fits any number of routes)."
  type        = string
  default     = "per_route"

  validation {
    condition     = contains(["per_route", "per_function"], var.permissions)
    error_message = "permissions must be per_route or per_function."
  }
}

variable "redeployment_triggers" {
  description = "Extra values whose change redeploys the stage (for example the authorizer's configuration)."
  type        = map(string)
  default     = {}
}

variable "stage_name" {
  description = "Name of the deployment stage (the first path segment of the invoke URL)."
  type        = string
  default     = "v1"
}

variable "xray_tracing_enabled" {
  description = "Enable X-Ray tracing on the stage."
  type        = bool
  default     = false
}

variable "throttling" {
  description = "Stage-wide throttling of every method (aws_api_gateway_method_settings on */*); null keeps the account defaults."
  type = object({
    burst_limit = number
    rate_limit  = number
  })
  default = null
}

variable "access_logs" {
  description = "JSON access logs of the stage to a log group owned by this module. API Gateway writes them through the account's CloudWatch role (one per account and region, see modules/api-gateway-account): name it in cloudwatch_role_arn to turn logs on. format null uses a JSON line with request id, caller, principal, route, status and latencies."
  type = object({
    enabled             = optional(bool, false)
    cloudwatch_role_arn = optional(string)
    retention_in_days   = optional(number, 30)
    kms_key_arn         = optional(string)
    format              = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = !var.access_logs.enabled || var.access_logs.cloudwatch_role_arn != null
    error_message = "Access logs need the account's API Gateway CloudWatch role: set access_logs.cloudwatch_role_arn (create it once per account and region with modules/api-gateway-account). Without it, AWS refuses the stage."
  }
  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_logs.retention_in_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "cors" {
  description = <<-EOT
    CORS for browser clients on one other origin; null (the default) turns it off. API Gateway's gateway responses can
    only send static headers, so one origin is what it can honour. When set: every route path gets an OPTIONS method
    (no authorizer, a MOCK integration answering the preflight with static headers), and the gateway responses carry
    Access-Control-Allow-Origin, Access-Control-Expose-Headers: WWW-Authenticate and Vary: Origin. No credentials mode:
    the token travels in Authorization, never in cookies. AWS_PROXY and HTTP_PROXY backends must send the
    cors_response_headers output themselves. allow_methods null: the verbs of the path's routes plus OPTIONS.
  EOT
  type = object({
    allow_origin    = string
    allow_headers   = optional(list(string), ["Authorization", "Content-Type"])
    allow_methods   = optional(list(string))
    max_age_seconds = optional(number, 600)
  })
  default = null

  validation {
    condition     = var.cors == null ? true : can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", var.cors.allow_origin))
    error_message = "cors.allow_origin must be one origin, scheme://host[:port] with no path or trailing slash (for example https://app.example.com)."
  }
  validation {
    condition     = var.cors == null ? true : contains([for h in var.cors.allow_headers : lower(h)], "authorization")
    error_message = "cors.allow_headers must include Authorization: the token travels in it."
  }
  validation {
    condition     = var.cors == null ? true : alltrue([for h in var.cors.allow_headers : can(regex("^[!#-&*+.0-9A-Z^-z|~-]+$", h))])
    error_message = "cors.allow_headers must be header names (RFC 9110 tokens)."
  }
  validation {
    condition     = var.cors == null ? true : (var.cors.allow_methods == null ? true : alltrue([for m in var.cors.allow_methods : contains(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], m)]))
    error_message = "cors.allow_methods must be among GET POST PUT PATCH DELETE HEAD OPTIONS."
  }
  validation {
    condition     = var.cors == null ? true : (var.cors.max_age_seconds >= 0 && var.cors.max_age_seconds <= 86400)
    error_message = "cors.max_age_seconds must be between 0 and 86400."
  }
}

variable "gateway_responses" {
  description = <<-EOT
    Answers a client can act on, through API Gateway's gateway responses. UNAUTHORIZED (401, missing and invalid tokens
    alike) carries WWW-Authenticate: Bearer realm="<realm>" (null: the API's name) and no error code (RFC 6750 3.1);
    ACCESS_DENIED (403) carries {"message": access_denied_message}. With cors set, DEFAULT_4XX, DEFAULT_5XX and
    MISSING_AUTHENTICATION_TOKEN (worded as API Gateway words them) also carry the CORS headers. create = false leaves
    every gateway response to API Gateway's defaults (then a browser cannot read a 401 or 403).
  EOT
  type = object({
    create                = optional(bool, true)
    realm                 = optional(string)
    unauthorized_message  = optional(string, "Unauthorized")
    access_denied_message = optional(string, "The token is valid but does not grant access to this resource")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.gateway_responses.realm == null ? true : can(regex("^[A-Za-z0-9 ._:/-]{1,128}$", var.gateway_responses.realm))
    error_message = "gateway_responses.realm must be 1-128 of letters, digits, space and . _ : / - (it is quoted inside a static header value)."
  }
  validation {
    condition     = alltrue([for m in [var.gateway_responses.unauthorized_message, var.gateway_responses.access_denied_message] : can(regex("^[^$#\\\\\\x00-\\x1f]{1,512}$", m))])
    error_message = "Gateway response messages must be 1-512 characters without $, # or \\ (the body is a mapping template) and without control characters."
  }
}
