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

# ACCOUNT-GLOBAL (opt-in): API Gateway writes stage logs through one role set
# per account and region. Managing it here overwrites whatever is configured.
data "aws_iam_policy_document" "account_assume_role" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "account" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  name               = "${var.name}-apigateway-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.account_assume_role[0].json
  tags               = var.tags
}

data "aws_partition" "current" {
  count = var.manage_account_cloudwatch_role ? 1 : 0
}

resource "aws_iam_role_policy_attachment" "account" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  role       = aws_iam_role.account[0].name
  policy_arn = "arn:${data.aws_partition.current[0].partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.account[0].arn

  depends_on = [aws_iam_role_policy_attachment.account]
}
