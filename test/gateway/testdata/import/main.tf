# One REST API defined by an OpenAPI body (put_rest_api_mode overwrite), as
# TestPutRestApiTerraformOnMoto applies it through gateway.SnapshotProxy: the
# body is the test's (the OpenAPI document the module sends), a deployment
# follows each change of it.
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

variable "body" {
  type = string
}

resource "aws_api_gateway_rest_api" "this" {
  name              = var.name
  body              = jsonencode(jsondecode(var.body))
  put_rest_api_mode = "overwrite"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  triggers    = { body = sha1(aws_api_gateway_rest_api.this.body) }

  lifecycle {
    create_before_destroy = true
  }
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.this.id
}

output "root_resource_id" {
  value = aws_api_gateway_rest_api.this.root_resource_id
}

output "deployment_id" {
  value = aws_api_gateway_deployment.this.id
}
