// Package keystore keeps an issuer's JWKS in one shared DynamoDB item so
// that a cold start reads it instead of calling the issuer, and so that the
// fleet shares one refetch window for unknown kids. *Dynamo is keys.Store.
//
// Table: named by KEYS_TABLE_NAME; partition key AttrPK ("PK", string), no
// sort key. TTL must be enabled on AttrExpiresAt ("expires_at"), which the
// Terraform module does; DynamoDB deletes expired items lazily, so readers
// check expires_at themselves (package keys does).
//
// Item (one per issuer):
//
//	PK            S  PartitionKey(source) = "JWKS#<jwks url or issuer>"
//	jwks          S  the JWKS JSON (public keys only, as re-encoded by jwks.ParseSet)
//	fetched_at    N  unix seconds of the issuer fetch
//	expires_at    N  unix seconds after which the item is stale (the TTL attribute)
//	refetch_after N  unix seconds until which one instance holds the refetch lease
//
// Every write is one conditional UpdateItem, atomic per item, so concurrent
// instances race freely:
//
//   - Save sets jwks, fetched_at and expires_at when the item has no valid
//     fetched_at, or an older one, or one after the caller's bound (a date
//     no honest writer uses): an older fetch never replaces a newer one, and
//     a forged future date cannot block its own repair. A failed condition
//     is a success (the newer item wins). Save leaves refetch_after alone.
//   - Lease sets refetch_after when it is absent, not a number, ended, or
//     after the caller's bound; it creates the item if needed (with an
//     expires_at so that TTL removes a lease-only item). Such an item has
//     no jwks, and Load reports it as no entry.
//
// The role needs dynamodb:GetItem and dynamodb:UpdateItem on the table.
package keystore
