variable "name" {
  description = "Name of the Lambda function; also names its log group (/aws/lambda/NAME) and, when created, its IAM role."
  type        = string
}

variable "description" {
  description = "Description of the Lambda function."
  type        = string
  default     = null
}

variable "package_path" {
  description = "Path of the deployment zip (a single executable named bootstrap, as written by cmd/package to dist/ARCH/FUNCTION.zip). Ignored when s3_package is set."
  type        = string
  default     = null
}

variable "s3_package" {
  description = "The deployment zip as an S3 object (bucket, key, optional object_version) instead of a local path."
  type = object({
    bucket         = string
    key            = string
    object_version = optional(string)
  })
  default = null
}

variable "package_hint" {
  description = "Appended to the plan error when the local package is missing: how to build it."
  type        = string
  default     = "Build it with: go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@<version> -arch <architecture> -out dist"
}

variable "min_timeout" {
  description = "Lowest timeout in seconds the function's code can live with; a smaller timeout fails the plan."
  type        = number
  default     = 1
}

variable "min_timeout_reason" {
  description = "Why min_timeout is what it is, for the plan error."
  type        = string
  default     = "Lambda's minimum."
}

variable "handler" {
  description = "Handler of the function; provided.al2023 runs the executable named bootstrap."
  type        = string
  default     = "bootstrap"
}

variable "runtime" {
  description = "Lambda runtime identifier."
  type        = string
  default     = "provided.al2023"
}

variable "architecture" {
  description = "Instruction set of the function: arm64 or x86_64. Must match the package."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "The architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (128–10240)."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "Lambda memory must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout of one invocation in seconds (1–900)."
  type        = number
  default     = 3

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "Lambda timeout must be between 1 and 900 seconds."
  }
}

variable "environment" {
  description = "Environment variables of the function. An empty map configures none."
  type        = map(string)
  default     = {}
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; null leaves it unreserved."
  type        = number
  default     = null
}

variable "provisioned_concurrent_executions" {
  description = "Provisioned concurrency; above 0 the function is published and served through the alias named by alias_name, which invoke_arn and qualifier then point at."
  type        = number
  default     = 0
}

variable "alias_name" {
  description = "Name of the alias created when provisioned concurrency is configured."
  type        = string
  default     = "live"
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group in days (a CloudWatch Logs value; 0 keeps logs forever)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of a KMS key encrypting the log group; null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "tracing_enabled" {
  description = "Enable active AWS X-Ray tracing (adds xray:PutTraceSegments and xray:PutTelemetryRecords to a created role)."
  type        = bool
  default     = false
}

variable "create_role" {
  description = "Create the execution role. When false, role_arn must name an existing role that can write to this function's log group."
  type        = bool
  default     = true
}

variable "role_arn" {
  description = "ARN of an existing execution role, used when create_role is false."
  type        = string
  default     = null
}

variable "role_name" {
  description = "Name of the created execution role; null uses the function name."
  type        = string
  default     = null
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the created role."
  type        = string
  default     = null
}

variable "policy_statements" {
  description = "Extra statements for the created role's inline policy (for example the key cache table actions of the authorizer)."
  type = list(object({
    sid       = optional(string)
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
