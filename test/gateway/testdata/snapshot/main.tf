# modules/rest-api with a routes map the test changes between applies, as
# TestSnapshotOnMoto applies it: HTTP_PROXY routes to the test's loopback
# backend behind a TOKEN authorizer running test/gateway/testdata/authorizer
# (whose any-<uid> token is allowed on every route).
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "name" {
  type = string
}

variable "authorizer_zip" {
  type = string
}

variable "architecture" {
  type = string
}

variable "backend_url" {
  type = string
}

# Route key => path on the backend.
variable "routes" {
  type = map(string)
}

resource "aws_iam_role" "authorizer" {
  name = "${var.name}-authorizer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_function" "authorizer" {
  function_name    = "${var.name}-authorizer"
  role             = aws_iam_role.authorizer.arn
  filename         = var.authorizer_zip
  source_code_hash = filebase64sha256(var.authorizer_zip)
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  timeout          = 2
}

resource "aws_lambda_permission" "authorizer" {
  statement_id  = "AllowApiGatewayAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.authorizer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${module.rest_api.rest_api_execution_arn}/authorizers/*"
}

module "rest_api" {
  source = "../../../../modules/rest-api"

  name = var.name
  authorizer = {
    name                           = "jwt"
    invoke_arn                     = aws_lambda_function.authorizer.invoke_arn
    identity_validation_expression = "^any-[a-z]+$"
    result_ttl_in_seconds          = 0
  }
  routes = { for k, path in var.routes : k => { http_url = "${var.backend_url}${path}" } }
}

output "rest_api_id" {
  value = module.rest_api.rest_api_id
}

output "stage_name" {
  value = module.rest_api.stage_name
}

output "deployment_id" {
  value = module.rest_api.deployment_id
}
