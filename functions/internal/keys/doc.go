// Package keys provides one issuer's public keys to the token verifier:
// memory first, then the issuer's shared DynamoDB item (through Store), then
// the issuer itself.
//
// Two paths, one file each:
//
//   - Warm (warm.go), at a cold start: unless a fresh set is held, the
//     stored item when it is fresh, else the issuer; an issuer's set is
//     saved to the item, then published. Synchronous: when Warm returns,
//     the next cold start can read the item.
//   - Key (provider.go, refresh.go), on every verdict: a hit is a map read
//     of the held set while it is fresh, with no lock and no allocation. A
//     miss (unknown kid, or the set expired) waits for one refetch, shared
//     by every miss that comes while it runs (single flight): a newer stored
//     set that has the kid, else, if the fleet's lease lets this instance
//     ask, the issuer, whose set is published and then saved.
//
// Both paths end in one outcome (outcome.go): the set to publish, where it
// came from (only an issuer's set is saved), and when the issuer was last
// asked, from which the refetch window runs. publish is the one place the
// held set and the window change.
//
// Rules:
//
//   - Keys are filed under go-jose's KeyID whichever way they arrived, and
//     package jwks decides which keys are usable.
//   - The held set is fresh for TTL after it was fetched from the issuer (the
//     fetch time travels with the DynamoDB item, so a set loaded from the
//     item expires with it). While every refresh fails the held keys keep
//     being served for at most MaxStale past their TTL (stale-if-error),
//     then no key is served.
//   - A stored item dated more than ClockSkew after Now is refused and
//     replaced by the next issuer fetch: nobody can pin a key by writing the
//     item once with a fetched_at in the far future. A stored set older than
//     the held one is ignored.
//   - A refetch replaces the set: keys the issuer removed stop validating.
//     A set never replaces a newer one.
//   - Issuer fetches are spaced by RefetchMinInterval (the window; zero means
//     none), which runs from the end of the last fetch, or from the item's
//     fetched_at when a stored set was taken. Inside it a miss is answered
//     from what is held, without I/O. With a Store, a miss while a fresh set
//     is held fetches only when this instance wins the item's refetch lease,
//     so the fleet sharing the table makes at most one such fetch per window
//     (DynamoDB's conditional writes to one item are atomic); the others use
//     the item or what they hold. Without a Store the window is per instance.
//   - A waiting Key returns when the refetch is published or its own context
//     ends, whichever comes first; the refetch itself is detached from it.
//   - One load (DynamoDB reads, the issuer fetch and the write-back) ends
//     within 2 × FetchTimeout: the reads (item and lease) share one
//     FetchTimeout, the issuer fetch (discovery included) gets one, and the
//     write-back only what remains. A cold start's first verdict is thus
//     bounded whatever DynamoDB and the issuer do. When DynamoDB has just
//     failed, Warm publishes without waiting for the write-back.
//   - Every fault is logged as one slog line and is never fatal; an issuer
//     fetch logs one line whatever the size of the key set.
//   - Each load from the table or the issuer is one line, written through
//     Options.Metrics as a KeyLoads record (metrics.go: source, outcome);
//     a key answered from memory is only counted.
//
// Options carry config's validated values; keys applies no defaults of its
// own, and a zero duration means what it says (see Options).
package keys
