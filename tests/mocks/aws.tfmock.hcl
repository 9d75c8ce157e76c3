# The AWS provider mocked for every test file of the root module, so that
# `terraform test` plans offline.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_api_gateway_rest_api" {
  defaults = { id = "abc123", root_resource_id = "root01", execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/orders" }
}
mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-authorizer-keys" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders" }
}
mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations"
  }
}

# The provider region, as the REST API execution ARNs of the tests name it.
mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}
