# API Gateway may invoke each route's function only for that stage, verb and
# path: one permission per (function, route).
resource "aws_lambda_permission" "route" {
  for_each = var.create_lambda_permissions ? { for k, r in local.parsed : k => r if r.function_name != null } : {}

  statement_id  = "AllowApiGateway-${substr(sha1(each.key), 0, 16)}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  qualifier     = each.value.qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/${each.value.verb}/${local.source_paths[each.key]}"
}
