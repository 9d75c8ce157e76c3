# Before the OpenAPI body (main.tf), each resource, method, integration and
# gateway response was a Terraform resource. The body's PutRestApi
# (overwrite) replaces all of them on AWS at once; deleting them afterwards
# would race it, and could delete what the body just put. So Terraform
# forgets them without destroying anything (docs/upgrading.md).
removed {
  from = aws_api_gateway_resource.depth1
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth2
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth3
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth4
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth5
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth6
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth7
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_resource.depth8
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_method.this
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_integration.this
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_method.options
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_integration.options
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_method_response.options
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_integration_response.options
  lifecycle { destroy = false }
}
removed {
  from = aws_api_gateway_gateway_response.this
  lifecycle { destroy = false }
}
