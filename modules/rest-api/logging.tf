locals {
  access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    requestTime        = "$context.requestTime"
    ip                 = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    path               = "$context.path"
    status             = "$context.status"
    responseLength     = "$context.responseLength"
    principalId        = "$context.authorizer.principalId"
    authorizerStatus   = "$context.authorizer.status"
    authorizerLatency  = "$context.authorizer.latency"
    authorizerError    = "$context.authorizer.error"
    integrationStatus  = "$context.integration.status"
    integrationLatency = "$context.integration.latency"
    responseLatency    = "$context.responseLatency"
    errorMessage       = "$context.error.message"
  })
}

resource "aws_cloudwatch_log_group" "access" {
  count = var.access_logs.enabled ? 1 : 0

  name              = "/aws/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.access_logs.retention_in_days
  kms_key_id        = var.access_logs.kms_key_arn
  tags              = var.tags
}
