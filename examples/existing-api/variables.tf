variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of your REST API; prefixes its function (NAME-orders) and the authorizer (NAME-authorizer)."
  type        = string
  default     = "orders-api"
}

variable "issuer" {
  description = "Issuer of the tokens your API accepts (the exact iss), for example an Okta authorization server https://dev-123456.okta.com/oauth2/default or a Cognito pool https://cognito-idp.REGION.amazonaws.com/POOL_ID. Under cmd/local, local_run's loopback issuer is used instead."
  type        = string
}

variable "audiences" {
  description = "Audiences (aud) a token must carry, one at least: the identifier your authorization server gives this API."
  type        = list(string)
  default     = ["api://orders"]
}

variable "user_id_claim" {
  description = "Claim holding the user id that {userId} must equal; null uses sub (Okta: uid)."
  type        = string
  default     = null
}

variable "architecture" {
  description = "Lambda architecture of both functions; the zips must be built for it."
  type        = string
  default     = "arm64"
}

variable "authorizer_package" {
  description = "Path of the authorizer zip (go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@VERSION -arch ARCH -out dist writes dist/ARCH/authorizer.zip); null uses the module's dist/ARCH/authorizer.zip."
  type        = string
  default     = null
}

variable "orders_package" {
  description = "Path of your own function's zip (here the module's example backend, dist/ARCH/hello.zip); null uses the module's dist/ARCH/hello.zip."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}

variable "alarm_topic_arns" {
  description = "SNS topics the authorizer's alarms notify; empty creates no alarm."
  type        = list(string)
  default     = []
}

variable "dashboard" {
  description = "Create the authorizer's CloudWatch dashboard."
  type        = bool
  default     = false
}

# The one variable cmd/local sets (TF_VAR_local_run) when it runs this folder
# on moto; null everywhere else, where the values above apply.
variable "local_run" {
  description = "Set by `cmd/local up` for a local run on moto (docs/local.md): the loopback issuer, the audience its tokens carry, this machine's Lambda architecture and the folder of the packages built for it. Leave null."
  type = object({
    issuer       = string
    audience     = string
    architecture = string
    packages     = string
  })
  default = null
}
