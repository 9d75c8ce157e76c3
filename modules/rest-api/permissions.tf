# API Gateway may invoke hello only for GET /hello/* of this API (any stage) …
resource "aws_lambda_permission" "hello" {
  count = var.create_lambda_permissions ? 1 : 0

  statement_id  = "AllowApiGatewayGetHello"
  action        = "lambda:InvokeFunction"
  function_name = var.hello_function_name
  qualifier     = var.hello_qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/GET/hello/*"
}

# … and the authorizer only as this API's authorizer.
resource "aws_lambda_permission" "authorizer" {
  count = var.create_lambda_permissions ? 1 : 0

  statement_id  = "AllowApiGatewayAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = var.authorizer_function_name
  qualifier     = var.authorizer_qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/authorizers/${aws_api_gateway_authorizer.this.id}"
}
