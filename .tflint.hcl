# tflint configuration of the root module, the submodules and the examples
# (.ci/terraform-checks runs `tflint --chdir=<dir> --config=<this file>` on each).
# The aws ruleset is installed manually (no GitHub access): `make tools` builds
# bin/tflint-ruleset-aws from tools/go.mod and .ci/terraform-checks links it
# into TFLINT_PLUGIN_DIR=build/tflint-plugins, where tflint finds a plugin
# declared without source/version as <plugin_dir>/tflint-ruleset-<name>.

config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
}

rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_naming_convention" {
  enabled = true
}

rule "terraform_standard_module_structure" {
  enabled = true
}
