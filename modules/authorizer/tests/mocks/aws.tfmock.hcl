# The AWS provider mocked for every test file of the module: resources get
# the computed values the module reads, so `terraform test` runs offline.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/orders-authorizer" }
}
mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-authorizer-keys" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-authorizer" }
}
mock_resource "aws_lambda_function" {
  defaults = { invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders-authorizer/invocations" }
}

# The provider region, as the REST API execution ARNs of the tests name it.
mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}
