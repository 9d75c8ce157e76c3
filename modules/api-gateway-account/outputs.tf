output "cloudwatch_role_arn" {
  description = "ARN of the role set as the account's API Gateway CloudWatch role: pass it to access_logs.cloudwatch_role_arn."
  value       = aws_api_gateway_account.this.cloudwatch_role_arn
}
