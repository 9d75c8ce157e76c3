resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = var.description

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # A new deployment whenever anything the stage serves changes: a route, its
  # method, integration or resource, or the authorizer.
  triggers = {
    redeployment = sha1(jsonencode([
      # What the routes say (configuration, not computed attributes, so a
      # second plan is clean) and the ids of what they made.
      var.routes,
      local.resource_ids,
      { for k, m in aws_api_gateway_method.this : k => m.id },
      { for k, i in aws_api_gateway_integration.this : k => i.id },
      var.authorizer_id,
      var.redeployment_triggers,
      # CORS preflights and gateway responses take effect on a deployment.
      var.cors,
      local.gateway_responses,
      { for k, m in aws_api_gateway_method.options : k => m.id },
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_method.this,
    aws_api_gateway_integration.this,
    aws_api_gateway_integration_response.options,
    aws_api_gateway_gateway_response.this,
  ]
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
