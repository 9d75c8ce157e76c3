variable "name" {
  description = "Name of the REST API; also prefixes the authorizer, the access log group and the optional account role."
  type        = string
}

variable "description" {
  description = "Description of the REST API."
  type        = string
  default     = "Hello API protected by a JWT TOKEN authorizer"
}

variable "authorizer_invoke_arn" {
  description = "Invoke ARN of the authorizer Lambda function (the function module's invoke_arn)."
  type        = string
}

variable "authorizer_function_name" {
  description = "Name of the authorizer Lambda function, for its invoke permission."
  type        = string
}

variable "authorizer_qualifier" {
  description = "Alias of the authorizer function the API invokes, or null for the unqualified function."
  type        = string
  default     = null
}

variable "hello_invoke_arn" {
  description = "Invoke ARN of the hello Lambda function (the function module's invoke_arn)."
  type        = string
}

variable "hello_function_name" {
  description = "Name of the hello Lambda function, for its invoke permission."
  type        = string
}

variable "hello_qualifier" {
  description = "Alias of the hello function the API invokes, or null for the unqualified function."
  type        = string
  default     = null
}

variable "create_lambda_permissions" {
  description = "Grant API Gateway permission to invoke both functions, scoped to GET /hello/* and to this API's authorizer."
  type        = bool
  default     = true
}

variable "identity_validation_expression" {
  description = "Regular expression the Authorization header must match before the authorizer is invoked; null or empty invokes it for every request."
  type        = string
  default     = "^[Bb]earer [-0-9A-Za-z._~+/]+=*$"
}

variable "authorizer_result_ttl_in_seconds" {
  description = "How long API Gateway caches the authorizer's policy per token (0 disables caching, at most 3600)."
  type        = number
  default     = 300

  validation {
    condition     = var.authorizer_result_ttl_in_seconds >= 0 && var.authorizer_result_ttl_in_seconds <= 3600
    error_message = "The authorizer result TTL must be between 0 and 3600 seconds."
  }
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
  description = "JSON access logs of the stage to a log group owned by this module. Needs the account-wide API Gateway CloudWatch role (see manage_account_cloudwatch_role). format null uses a JSON line with request id, caller, principal, route, status and latencies."
  type = object({
    enabled           = optional(bool, false)
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
    format            = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_logs.retention_in_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "manage_account_cloudwatch_role" {
  description = "ACCOUNT-GLOBAL: create an IAM role for API Gateway to push logs and set it as the region's API Gateway account setting (aws_api_gateway_account). There is one such setting per account and region: enable it in one stack only, and only if nothing else manages it."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
