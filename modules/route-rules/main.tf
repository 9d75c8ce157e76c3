# The route rules of functions/internal/config (ValidateRoute, RouteConflicts),
# written in Terraform so that a set the cold start refuses is refused at plan.
# Both are tested against one table, functions/internal/config/testdata/
# route_sets.json (tests/table.tftest.hcl here, rules_test.go there), and give
# the same lines for the same set.
#
# The policy allows each route a token earns ({userId} written as its user id,
# every other parameter "*") and denies every route it does not earn (every
# parameter "*"). In a policy "*" matches any run of characters, "/"
# included, and a Deny wins. What is left to check:
#   - with two or more issuers a {userId} route names exactly one;
#   - no route's "*" reaches another user's paths of a {userId} route;
#   - no Deny hides a route the token earns.

locals {
  # One route: its verb, segments and kinds (a literal, b parameter, c final
  # "*"), in API Gateway's precedence: the smallest kinds string among the
  # resources matching a path receives it.
  shapes = { for key, r in var.routes : key => merge(r, {
    key   = key
    verb  = split(" ", key)[0]
    segs  = compact(split("/", try(split(" ", key)[1], "")))
    kinds = [for s in compact(split("/", try(split(" ", key)[1], ""))) : s == "*" ? "c" : can(regex("^\\{.*\\}$", s)) ? "b" : "a"]
  }) }

  # ValidateRoute, route by route.
  invalid = sort([for key, s in local.shapes : key if !(
    can(regex("^(GET|POST|PUT|PATCH|DELETE|HEAD) (/|(/[^/]+)+)$", key)) &&
    alltrue([for i, seg in s.segs : (
      # a literal: what API Gateway takes in a path part, not a dot segment
      (can(regex("^[A-Za-z0-9._:-]+$", seg)) && seg != "." && seg != "..") ||
      # a whole {param} ({userId} spelled exactly so; only literals before it)
      (can(regex("^\\{[A-Za-z_][A-Za-z0-9_]*\\}$", seg)) && (lower(seg) != "{userid}" || seg == "{userId}") &&
      (seg != "{userId}" || alltrue([for k in slice(s.kinds, 0, i) : k == "a"]))) ||
      # a final * after a literal or {userId}
      (seg == "*" && i == length(s.segs) - 1 && i > 0 && (s.kinds[max(i - 1, 0)] == "a" || s.segs[max(i - 1, 0)] == "{userId}"))
    )]) &&
    length([for seg in s.segs : seg if seg == "{userId}"]) <= 1
  )])

  valid = { for key, s in local.shapes : key => merge(s, {
    n       = length(s.segs)
    greedy  = try(s.segs[length(s.segs) - 1] == "*", false)
    fixed   = try(s.segs[length(s.segs) - 1] == "*", false) ? length(s.segs) - 1 : length(s.segs)
    kindstr = join("", s.kinds)
    user    = try(index(s.segs, "{userId}"), -1)
    # first and last non-literal segment; -1 when all are literal
    first  = try(index([for k in s.kinds : k != "a"], true), -1)
    last   = try(length(s.kinds) - 1 - index(reverse([for k in s.kinds : k != "a"]), true), -1)
    all_is = sort(distinct(length(s.issuers) > 0 ? s.issuers : var.issuers))
  }) if !contains(local.invalid, key) }

  # reaches(a, b) of functions/internal/config/reach.go, case for case: may
  # a's pattern (every non-literal "*") match a path API Gateway gives to b?
  pairs = flatten([for ak, a in local.valid : [for bk, b in local.valid : {
    a = a
    b = b
    reach = ak != bk && a.verb == b.verb && a.first >= 0 && (
      !b.greedy && b.n < a.n ? false : (
        !b.greedy && b.n == a.n ? (
          # each "*" is one segment: both routes match, precedence decides
          alltrue([for i in range(a.n) : a.kinds[i] != "a" || b.kinds[i] != "a" || a.segs[i] == b.segs[i]]) &&
          sort([a.kindstr, b.kindstr])[0] == b.kindstr
          ) : (
          # a longer path: a's literal prefix and suffix stay in place
          alltrue([for i in range(max(a.first, 0)) : i >= b.fixed || b.kinds[i] != "a" || b.segs[i] == a.segs[i]]) &&
          (b.greedy || alltrue([for j in range(a.n - a.last - 1) :
            b.kinds[b.n - (a.n - a.last - 1) + j] != "a" || b.segs[b.n - (a.n - a.last - 1) + j] == a.segs[a.last + 1 + j]
          ]))
        )
      )
    )
  }]])

  reaching = [for p in local.pairs : merge(p, {
    # b binds {userId} and a does not bind it at the same segment after the same literals
    other_users = p.b.user >= 0 && !(p.a.user >= 0 && p.a.user == p.b.user && slice(p.a.segs, 0, max(p.a.user, 0)) == slice(p.b.segs, 0, max(p.b.user, 0)))
    scopes      = sort(setsubtract(p.a.scopes, p.b.scopes))
    issuers_ok  = length(setsubtract(p.b.all_is, p.a.all_is)) == 0
  }) if p.reach]

  # Two routes that put different variables under one parent, which API
  # Gateway refuses; each pair once, the smaller key first.
  siblings = flatten([for ak, a in local.valid : [for bk, b in local.valid : [
    for k in range(min(a.n, b.n)) : format("routes %q and %q: API Gateway allows one variable per parent (%s and %s under %q)",
    ak, bk, a.segs[k] == "*" ? "{proxy+}" : a.segs[k], b.segs[k] == "*" ? "{proxy+}" : b.segs[k], "/${join("/", slice(a.segs, 0, k))}")
    if a.kinds[k] != "a" && b.kinds[k] != "a" && a.segs[k] != b.segs[k] && slice(a.segs, 0, k) == slice(b.segs, 0, k)
  ] if ak != bk && sort([ak, bk])[0] == ak]])

  conflicts = concat(
    local.siblings,
    [for k, s in local.valid : format("route %q holds {userId}: with %d issuers it must name exactly one of them (two issuers may mint the same user id)", k, length(var.issuers))
    if length(var.issuers) > 1 && s.user >= 0 && length(s.issuers) != 1],
    [for p in local.reaching : format("routes %q and %q: the first can reach other users' paths of the second; bind {userId} at the same segment, after the same literal segments", p.a.key, p.b.key)
    if p.other_users],
    [for p in local.reaching : format("routes %q and %q: the first's Deny can hide the second from a token that earns only the second; %s", p.a.key, p.b.key, join(" and ", compact([
      length(p.scopes) > 0 ? "add scopes ${join(",", p.scopes)} to the second" : "",
      p.issuers_ok ? "" : "name on the second only issuers among ${join(",", p.a.all_is)}",
    ]))) if length(p.scopes) > 0 || !p.issuers_ok],
  )
}
