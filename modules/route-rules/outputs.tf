output "invalid_routes" {
  description = "Route keys that break a rule of their own (syntax, {userId} placement); empty when all are valid."
  value       = local.invalid
}

output "conflicts" {
  description = "One line per pair of routes whose policy would reach another user's paths or hide an earned route, and per {userId} route that must name one issuer; empty when the set is sound."
  value       = local.conflicts
}

output "errors" {
  description = "invalid_routes and conflicts as the lines a precondition prints; empty when the routes are accepted."
  value       = concat([for k in local.invalid : "route \"${k}\" is not VERB /path of literal, {param}, bound {userId} or path_claims parameter (once each, after literal segments and bound parameters only) and final * segments"], local.conflicts)
}
