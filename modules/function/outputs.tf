output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway integrations invoke: the alias's when provisioned concurrency is configured, else the function's."
  value       = try(aws_lambda_alias.this[0].invoke_arn, aws_lambda_function.this.invoke_arn)
}

output "qualifier" {
  description = "Alias name integrations invoke (for lambda permissions), or null when the unqualified function is invoked."
  value       = try(aws_lambda_alias.this[0].name, null)
}

output "version" {
  description = "Latest published version, or $LATEST when the function is not published."
  value       = aws_lambda_function.this.version
}

output "code_sha256" {
  description = "Base64 SHA-256 of the deployed package as Lambda reports it."
  value       = aws_lambda_function.this.code_sha256
}

output "role_arn" {
  description = "ARN of the execution role (created or given)."
  value       = local.role_arn
}

output "role_name" {
  description = "Name of the created execution role, or null when an existing role is used."
  value       = try(aws_iam_role.this[0].name, null)
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.arn
}
