variable "role_name" {
  description = "Name of the IAM role API Gateway assumes to write logs; null uses apigateway-cloudwatch-REGION, so that applying the module in two regions of one account creates two roles instead of colliding on one name."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null || can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "IAM role names are 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the role."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to the role."
  type        = map(string)
  default     = {}
}
