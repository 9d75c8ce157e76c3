# The route rules of functions/internal/config (ValidateRoute, RouteConflicts),
# written in Terraform so that a set the cold start refuses is refused at plan.
# Both are tested against one table, functions/internal/config/testdata/
# route_sets.json (tests/table.tftest.hcl here, rules_test.go there), and give
# the same lines for the same set.
#
# The policy allows each route a token earns (each bound parameter, {userId}
# or one of var.bound, written as the token's value, every other parameter
# "*") and denies every route it does not earn (every parameter "*"). In a
# policy "*" matches any run of characters, "/" included, and a Deny wins.
# What is left to check:
#   - with two or more issuers a route with a bound parameter names exactly one;
#   - no route's Allow reaches another token's paths of a route with a bound parameter;
#   - no Deny hides a route the token earns (scopes, groups, issuers, bound parameters).

locals {
  # The bound parameters as path segments: {userId} always, var.bound's too.
  bsegs = concat(["{userId}"], [for p in var.bound : "{${p}}"])

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
      # a whole {param} ({userId} spelled exactly so; only literals and bound parameters before a bound one)
      (can(regex("^\\{[A-Za-z_][A-Za-z0-9_]*\\}$", seg)) && (lower(seg) != "{userid}" || seg == "{userId}") &&
      (!contains(local.bsegs, seg) || alltrue([for j in range(i) : s.kinds[j] == "a" || contains(local.bsegs, s.segs[j])]))) ||
      # a final * after a literal or a bound parameter
      (seg == "*" && i == length(s.segs) - 1 && i > 0 && (s.kinds[max(i - 1, 0)] == "a" || contains(local.bsegs, s.segs[max(i - 1, 0)])))
    )]) &&
    alltrue([for b in local.bsegs : length([for seg in s.segs : seg if seg == b]) <= 1])
  )])

  valid = { for key, s in local.shapes : key => merge(s, {
    n       = length(s.segs)
    greedy  = try(s.segs[length(s.segs) - 1] == "*", false)
    fixed   = try(s.segs[length(s.segs) - 1] == "*", false) ? length(s.segs) - 1 : length(s.segs)
    kindstr = join("", s.kinds)
    # the bound parameters in order, and the index of the last; -1 without
    binds = [for seg in s.segs : seg if contains(local.bsegs, seg)]
    user  = try(max([for i, seg in s.segs : i if contains(local.bsegs, seg)]...), -1)
    # first and last non-literal segment; -1 when all are literal
    first = try(index([for k in s.kinds : k != "a"], true), -1)
    last  = try(length(s.kinds) - 1 - index(reverse([for k in s.kinds : k != "a"]), true), -1)
    # the same for the Allow resource, where a bound parameter is one segment, not "*"
    afirst = try(index([for i, k in s.kinds : k != "a" && !contains(local.bsegs, s.segs[i])], true), -1)
    alast  = try(length(s.kinds) - 1 - index(reverse([for i, k in s.kinds : k != "a" && !contains(local.bsegs, s.segs[i])]), true), -1)
    all_is = sort(distinct(length(s.issuers) > 0 ? s.issuers : var.issuers))
  }) if !contains(local.invalid, key) }

  # reach(a, b, allow) of functions/internal/config/reach.go, case for case:
  # may a's pattern match a path API Gateway gives to b? For its Deny every
  # non-literal is "*" (reach); for its Allow a bound parameter is one
  # segment (reach_allow).
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
          alltrue([for i in range(max(a.first, 0)) : try(i >= b.fixed || b.kinds[i] != "a" || b.segs[i] == a.segs[i], true)]) &&
          (b.greedy || alltrue([for j in range(a.n - a.last - 1) :
            b.kinds[b.n - (a.n - a.last - 1) + j] != "a" || b.segs[b.n - (a.n - a.last - 1) + j] == a.segs[a.last + 1 + j]
          ]))
        )
      )
    )
    reach_allow = ak != bk && a.verb == b.verb && (
      a.afirst < 0 ? (
        # literals and bound values only: paths of a's own length
        length(a.binds) > 0 && (b.greedy ? b.n <= a.n && alltrue([for i in range(max(b.n - 1, 0)) : try(a.kinds[i] != "a" || b.kinds[i] != "a" || a.segs[i] == b.segs[i], true)]) : (
          b.n != a.n ? false : alltrue([for i in range(a.n) : a.kinds[i] != "a" || b.kinds[i] != "a" || a.segs[i] == b.segs[i]]) && sort([a.kindstr, b.kindstr])[0] == b.kindstr
        ))
        ) : (
        !b.greedy && b.n < a.n ? false : (
          !b.greedy && b.n == a.n ? (
            alltrue([for i in range(a.n) : a.kinds[i] != "a" || b.kinds[i] != "a" || a.segs[i] == b.segs[i]]) &&
            sort([a.kindstr, b.kindstr])[0] == b.kindstr
            ) : (
            alltrue([for i in range(max(a.afirst, 0)) : try(i >= b.fixed || a.kinds[i] != "a" || b.kinds[i] != "a" || b.segs[i] == a.segs[i], true)]) &&
            (b.greedy || alltrue([for j in range(max(a.n - a.alast - 1, 0)) : try(
              a.kinds[a.alast + 1 + j] != "a" || b.kinds[b.n - (a.n - a.alast - 1) + j] != "a" || b.segs[b.n - (a.n - a.alast - 1) + j] == a.segs[a.alast + 1 + j]
            , true)]))
          )
        )
      )
    )
  }]])

  reaching = [for p in local.pairs : merge(p, {
    # b binds a parameter, and a's Allow reaches b's paths without holding the same segments up to b's last bound one
    other_users = p.b.user >= 0 && p.reach_allow && !(p.a.user >= 0 && p.a.user == p.b.user && slice(p.a.segs, 0, p.a.user + 1) == slice(p.b.segs, 0, p.b.user + 1))
    scopes      = sort(setsubtract(p.a.scopes, p.b.scopes))
    groups_ok   = length(p.a.groups) == 0 || (length(p.b.groups) > 0 && length(setsubtract(p.b.groups, p.a.groups)) == 0)
    issuers_ok  = length(setsubtract(p.b.all_is, p.a.all_is)) == 0
    params      = [for x in p.a.binds : x if x != "{userId}" && !contains(p.b.binds, x)]
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
    [for k, s in local.valid : format("route %q holds %s: with %d issuers it must name exactly one of them (two issuers may mint the same %s)",
      k, s.binds[0], length(var.issuers), s.binds[0] == "{userId}" ? "user id" : "value")
    if length(var.issuers) > 1 && length(s.binds) > 0 && length(s.issuers) != 1],
    [for p in local.reaching : (p.b.binds == ["{userId}"]
      ? format("routes %q and %q: the first can reach other users' paths of the second; bind {userId} at the same segment, after the same literal segments", p.a.key, p.b.key)
      : format("routes %q and %q: the first can reach other tokens' paths of the second; hold %s at the same segments, after the same literal segments", p.a.key, p.b.key, join(",", p.b.binds))
    ) if p.other_users],
    [for p in local.reaching : format("routes %q and %q: the first's Deny can hide the second from a token that earns only the second; %s", p.a.key, p.b.key, join(" and ", compact([
      length(p.scopes) > 0 ? "add scopes ${join(",", p.scopes)} to the second" : "",
      p.groups_ok ? "" : "name on the second only groups among ${join(",", sort(distinct(p.a.groups)))}",
      p.issuers_ok ? "" : "name on the second only issuers among ${join(",", p.a.all_is)}",
      length(p.params) > 0 ? "hold ${join(",", p.params)} in the second too" : "",
    ]))) if length(p.scopes) > 0 || !p.groups_ok || !p.issuers_ok || length(p.params) > 0],
  )
}
