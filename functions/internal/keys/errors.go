package keys

import "errors"

// Sentinel errors.
var (
	// ErrKeyNotFound: keys are held but none has the kid (after a refetch,
	// or inside the refetch window).
	ErrKeyNotFound = errors.New("keys: key not found")
	// ErrUnavailable: no servable keys are held (none, or past TTL +
	// MaxStale) and neither DynamoDB nor the issuer could provide them.
	ErrUnavailable = errors.New("keys: no keys available")
	// ErrNoEntry is what a Store's Load wraps when it holds no entry.
	ErrNoEntry = errors.New("keys: no stored entry")
	// ErrInvalidEntry: the stored entry cannot be used (its JWKS does not
	// parse, or the Store found the item malformed). The issuer is asked and
	// its set replaces the entry.
	ErrInvalidEntry = errors.New("keys: invalid stored entry")
	// ErrFutureEntry: the stored entry's fetched_at lies more than ClockSkew
	// after Now. It is refused and replaced like an invalid one.
	ErrFutureEntry = errors.New("keys: stored entry dated in the future")
	// ErrInvalidOptions is returned by New.
	ErrInvalidOptions = errors.New("keys: invalid options")
)
