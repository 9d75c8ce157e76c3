// Package keys provides one issuer's public keys to the token verifier:
// memory first, then the issuer's shared DynamoDB item (through Store), then
// the issuer itself.
//
// Behaviour:
//
//   - Warm invocations are served from an immutable in-memory map swapped
//     atomically; a hit takes no lock and allocates nothing. Keys are filed
//     under go-jose's KeyID whichever way they arrived (package jwks).
//   - The held set is fresh for TTL after it was fetched from the issuer (the
//     fetch time travels with the DynamoDB item, so a set loaded from the
//     item expires with it). An expired set is refreshed (DynamoDB, then the
//     issuer); while that fails the held keys keep being served for at most
//     MaxStale past their TTL (stale-if-error), then no key is served.
//   - A stored item dated more than ClockSkew after Now is refused and
//     replaced by the next issuer fetch: nobody can pin a key by writing the
//     item once with a fetched_at in the far future.
//   - A kid that is not held triggers one refresh that goes to the issuer,
//     unless the DynamoDB item is newer than the held set and has the kid.
//     The refresh replaces the set: keys the issuer removed stop validating.
//   - Issuer fetches are spaced by RefetchMinInterval (the window; zero means
//     none). With a Store, an unknown kid fetches only when this instance
//     wins the item's refetch lease, so the fleet sharing the table makes at
//     most one such fetch per window; the others use the item or what they
//     hold. Without a Store the window is per instance. Inside the window a
//     caller gets its answer from what is held, without I/O.
//   - Refreshes are single-flight: concurrent callers wait for the one in
//     flight, or for their own context, whichever ends first.
//   - One load (DynamoDB reads, the issuer fetch and the write-back) ends
//     within 2 × FetchTimeout: the reads share one FetchTimeout, the issuer
//     fetch (discovery included) gets one FetchTimeout, and the write-back
//     only what remains. A cold start's first verdict is thus bounded
//     whatever DynamoDB and the issuer do.
//   - Every fault is logged as one slog line and is never fatal; an issuer
//     fetch logs one line whatever the size of the key set.
//
// Options carry config's validated values; keys applies no defaults of its
// own, and a zero duration means what it says (see Options).
package keys
