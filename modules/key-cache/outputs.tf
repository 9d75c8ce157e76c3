output "table_name" {
  description = "Name of the key cache table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the key cache table."
  value       = aws_dynamodb_table.this.arn
}

output "hash_key" {
  description = "Name of the string partition key."
  value       = aws_dynamodb_table.this.hash_key
}

output "ttl_attribute" {
  description = "Name of the attribute holding each item's expiry (epoch seconds)."
  value       = local.ttl_attribute
}
