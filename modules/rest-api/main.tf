# The API's whole definition is one OpenAPI body, built from var.routes
# (routes.tf), the preflights (cors.tf), the gateway responses
# (responses.tf) and the authorizer. PutRestApi in overwrite mode replaces the
# definition as a whole, before the deployment that snapshots it is created:
# a removed route leaves the stage in the same apply (docs/design.md, "Routes
# as one OpenAPI body").
locals {
  body = jsonencode({
    openapi = "3.0.1"
    # The caller's redeployment triggers are in the body too, so that every
    # deployment is made right after the body is put: what the API holds is
    # then always what the body says, whatever happened to it in between.
    info  = { title = var.name, description = var.description, version = sha1(jsonencode(var.redeployment_triggers)) }
    paths = local.paths
    components = { securitySchemes = { (var.authorizer.name) = {
      type                           = "apiKey"
      name                           = var.authorizer.identity_header
      in                             = "header"
      "x-amazon-apigateway-authtype" = "custom"
      "x-amazon-apigateway-authorizer" = merge(
        {
          type                         = "token"
          authorizerUri                = var.authorizer.invoke_arn
          authorizerResultTtlInSeconds = var.authorizer.result_ttl_in_seconds
        },
        var.authorizer.identity_validation_expression == null ? {} : { identityValidationExpression = var.authorizer.identity_validation_expression },
        var.authorizer.credentials == null ? {} : { authorizerCredentials = var.authorizer.credentials },
      )
    } } }
    "x-amazon-apigateway-gateway-responses" = local.gateway_response_definitions
  })
}

resource "aws_api_gateway_rest_api" "this" {
  name              = var.name
  description       = var.description
  body              = local.body
  put_rest_api_mode = "overwrite"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # A new deployment whenever the body changes: it holds every route,
  # preflight, gateway response, the authorizer and the caller's triggers.
  # It is created after the body is put: the rest API is its dependency.
  triggers = {
    redeployment = sha1(local.body)
  }

  lifecycle {
    create_before_destroy = true
  }
}

# tfsec: stage access logs are opt-in (var.access_logs.enabled): API Gateway writes them through the account-global CloudWatch role (modules/api-gateway-account, once per account and region), which a stack must not take over; the authorizer logs every verdict anyway.
#tfsec:ignore:aws-api-gateway-enable-access-logging
resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name
  # tfsec: X-Ray on the stage is opt-in (var.xray_tracing_enabled, set by the root's tracing_enabled): it is billed per trace.
  #tfsec:ignore:aws-api-gateway-enable-tracing
  xray_tracing_enabled = var.xray_tracing_enabled

  dynamic "access_log_settings" {
    for_each = var.access_logs.enabled ? [1] : []
    content {
      destination_arn = aws_cloudwatch_log_group.access[0].arn
      format          = coalesce(var.access_logs.format, local.access_log_format)
    }
  }

  tags = var.tags
}

resource "aws_api_gateway_method_settings" "all" {
  count = var.throttling == null ? 0 : 1

  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    throttling_burst_limit = var.throttling.burst_limit
    throttling_rate_limit  = var.throttling.rate_limit
  }
}

# The id API Gateway gave the body's authorizer, read once the body is put
# (authorizer_id output: for the console's "Test", aws apigateway
# test-invoke-authorizer, or a method of your own).
data "aws_api_gateway_authorizers" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  depends_on = [aws_api_gateway_rest_api.this]
}
