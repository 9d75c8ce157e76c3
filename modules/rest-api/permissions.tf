# API Gateway may invoke each route's function only through this API and
# stage. Two ways, var.permissions:
#   per_route    one statement per route, scoped to its verb and path (the
#                tightest; a function's resource policy holds about 60 such
#                statements before Lambda's 20 KB limit);
#   per_function one statement per function, "<api>/<stage>/*/*" (any route of
#                this stage; fits any number of routes).
# Statement ids hash the API id, the stage and the route (or function), so
# two APIs or stages sending the same route to one function never collide.
locals {
  lambda_routes = { for k, r in local.parsed : k => r if r.function_name != null }

  permissions = !var.create_lambda_permissions ? {} : var.permissions == "per_route" ? {
    for k, r in local.lambda_routes : k => {
      function_name = r.function_name
      qualifier     = r.qualifier
      source        = "${r.verb}/${local.source_paths[k]}"
    }
    } : {
    for fq in distinct([for r in values(local.lambda_routes) : "${r.function_name}:${coalesce(r.qualifier, "-")}"]) : fq => {
      function_name = split(":", fq)[0]
      qualifier     = split(":", fq)[1] == "-" ? null : split(":", fq)[1]
      source        = "*/*"
    }
  }
}

resource "aws_lambda_permission" "route" {
  for_each = local.permissions

  statement_id  = "AllowApiGateway-${substr(sha1("${aws_api_gateway_rest_api.this.id}/${var.stage_name}/${each.key}"), 0, 16)}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  qualifier     = each.value.qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/${each.value.source}"

  # A new statement id comes in before the old one leaves: no request is
  # refused while the permission is replaced.
  lifecycle {
    create_before_destroy = true
  }
}
