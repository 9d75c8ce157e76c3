resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = var.description

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_authorizer" "this" {
  name                             = "${var.name}-jwt"
  rest_api_id                      = aws_api_gateway_rest_api.this.id
  type                             = "TOKEN"
  authorizer_uri                   = var.authorizer_invoke_arn
  identity_source                  = "method.request.header.Authorization"
  identity_validation_expression   = var.identity_validation_expression == "" ? null : var.identity_validation_expression
  authorizer_result_ttl_in_seconds = var.authorizer_result_ttl_in_seconds
}

resource "aws_api_gateway_resource" "hello" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "hello"
}

resource "aws_api_gateway_resource" "user_id" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.hello.id
  path_part   = "{userId}"
}

resource "aws_api_gateway_method" "get_hello" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.user_id.id
  http_method   = "GET"
  authorization = "CUSTOM"
  authorizer_id = aws_api_gateway_authorizer.this.id

  request_parameters = {
    "method.request.path.userId" = true
  }
}

resource "aws_api_gateway_integration" "get_hello" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.user_id.id
  http_method             = aws_api_gateway_method.get_hello.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.hello_invoke_arn
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # A new deployment whenever anything the stage serves changes.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.hello.id,
      aws_api_gateway_resource.user_id.id,
      aws_api_gateway_method.get_hello.id,
      aws_api_gateway_method.get_hello.authorization,
      aws_api_gateway_method.get_hello.authorizer_id,
      aws_api_gateway_method.get_hello.request_parameters,
      aws_api_gateway_integration.get_hello.id,
      aws_api_gateway_integration.get_hello.type,
      aws_api_gateway_integration.get_hello.uri,
      aws_api_gateway_authorizer.this.id,
      aws_api_gateway_authorizer.this.type,
      aws_api_gateway_authorizer.this.authorizer_uri,
      aws_api_gateway_authorizer.this.identity_source,
      var.identity_validation_expression,
      var.authorizer_result_ttl_in_seconds,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_method.get_hello, aws_api_gateway_integration.get_hello]
}

# tfsec: stage access logs are opt-in (var.access_logs.enabled): API Gateway writes them through the account-global CloudWatch role (aws_api_gateway_account), which the module must not take over by default; the authorizer logs every verdict anyway.
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

  depends_on = [aws_api_gateway_account.this]
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
