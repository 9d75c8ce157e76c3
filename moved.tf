# Addresses that changed since the one-issuer form of the module (commit
# 4945ebe, "Functions, key cache, Terraform module, local gateway, bench:
# first drafts"). Upgrading from it needs no `terraform state mv`: these blocks
# keep every resource whose AWS name did not change (the authorizer function,
# its log group, its Lambda permission) as it is, instead of a new create racing
# the old delete ("already exists"). What the API's OpenAPI body now holds
# (the API Gateway authorizer, /hello and its method) is deleted once the
# stage serves the body's deployment (docs/upgrading.md). test/module/upgrade_test.go applies that
# commit and then this configuration on the same state.

# create_hello put hello behind a count.
moved {
  from = module.hello
  to   = module.hello[0]
}

# The authorizer function: from the generic function module at
# module.authorizer to modules/authorizer's module.function.
moved {
  from = module.authorizer.aws_lambda_function.this
  to   = module.authorizer.module.function.aws_lambda_function.this
}

moved {
  from = module.authorizer.aws_cloudwatch_log_group.this
  to   = module.authorizer.module.function.aws_cloudwatch_log_group.this
}

# The role's name now holds the region, so it is still replaced.
moved {
  from = module.authorizer.aws_iam_role.this
  to   = module.authorizer.module.function.aws_iam_role.this
}

moved {
  from = module.authorizer.aws_iam_role_policy.this
  to   = module.authorizer.module.function.aws_iam_role_policy.this
}

# The key table (NAME-keys then, NAME-authorizer-keys now: still replaced;
# it is a cache).
moved {
  from = module.key_cache.aws_dynamodb_table.this
  to   = module.authorizer.module.key_table[0].aws_dynamodb_table.this
}

# The authorizer's permission (statement id AllowApiGatewayAuthorizer, then
# and now) belongs to modules/authorizer.
moved {
  from = module.rest_api.aws_lambda_permission.authorizer[0]
  to   = module.authorizer.aws_lambda_permission.this
}

# The hello route's permission gets a new statement id (one per route, scoped
# to the stage): replaced, the new one created first. Its resources, method
# and integration are in the API's body now (removed.tf).
moved {
  from = module.rest_api.aws_lambda_permission.hello[0]
  to   = module.rest_api.aws_lambda_permission.route["GET /hello/{userId}"]
}
