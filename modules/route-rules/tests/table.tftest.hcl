# The route rules against the table the Go rules are tested with
# (functions/internal/config/rules_test.go): the two cannot drift.
variables {
  table = "../../functions/internal/config/testdata/route_sets.json"
}

run "table" {
  command = plan

  module {
    source = "./tests/table"
  }

  assert {
    condition     = output.cases >= 20
    error_message = "The table was not read: ${output.cases} cases."
  }
  assert {
    condition     = length(output.mismatches) == 0
    error_message = "Cases answered differently from the table: ${jsonencode(output.mismatches)}"
  }
}
