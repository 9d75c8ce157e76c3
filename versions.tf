# Terraform >= 1.5 (optional() object attributes with defaults, output and
# resource preconditions). The configuration uses only language features that
# OpenTofu shares (>= 1.6); OpenTofu has not been run against it here.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}
