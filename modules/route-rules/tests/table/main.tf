# Every case of functions/internal/config/testdata/route_sets.json through the
# module, and the cases whose answer differs from the table's.
variable "table" {
  description = "Path of the shared table."
  type        = string
}

locals {
  cases = { for c in jsondecode(file(var.table)) : c.name => c }
}

module "case" {
  source   = "../.."
  for_each = local.cases

  routes  = { for k, r in each.value.routes : k => { scopes = try(r.scopes, []), issuers = try(r.issuers, []), groups = try(r.groups, []) } }
  issuers = each.value.issuers
  bound   = try(each.value.bound, [])
}

output "cases" {
  description = "How many cases were read."
  value       = length(local.cases)
}

output "mismatches" {
  description = "Cases whose invalid routes or conflicts differ from the table's, with both answers."
  value = { for name, c in local.cases : name => {
    got  = { invalid = module.case[name].invalid_routes, conflicts = sort(module.case[name].conflicts) }
    want = { invalid = sort(c.invalid), conflicts = sort(c.conflicts) }
    } if module.case[name].invalid_routes != sort(c.invalid) || sort(module.case[name].conflicts) != sort(c.conflicts)
  }
}
