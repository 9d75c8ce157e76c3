variable "name" {
  description = "Name of the DynamoDB table holding the cached JWKS."
  type        = string
}

variable "point_in_time_recovery_enabled" {
  description = "Enable point-in-time recovery of the table. Off by default: the table is a cache the authorizer rebuilds from the issuer."
  type        = bool
  default     = false
}

variable "server_side_encryption_enabled" {
  description = "Encrypt the table with a KMS key (kms_key_arn, or the AWS managed key aws/dynamodb when null). When false DynamoDB still encrypts with an AWS owned key."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key for server-side encryption; null uses the AWS managed key."
  type        = string
  default     = null
}

variable "deletion_protection_enabled" {
  description = "Protect the table from deletion. The cache is rebuilt from the issuer, so it is off by default."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to the table."
  type        = map(string)
  default     = {}
}
