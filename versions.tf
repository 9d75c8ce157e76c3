# Terraform >= 1.5 (optional() object attributes with defaults, output and
# resource preconditions). The configuration uses only language features that
# OpenTofu shares (>= 1.6); OpenTofu has not been run against it here.
# hashicorp/aws: the floor is the oldest version the tests ran against
# (5.100.0); 6.x is tested too (make test-provider6, docs/providers.md).
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 7.0"
    }
  }
}
