package keys

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

// ask fetches the set from the issuer. When that fails, a newer stored set
// (even expired: it may still be servable) beats the held one; the window
// runs from the failure, so a hanging issuer is asked again only after it.
func (p *Provider) ask(ctx context.Context, held, stored *keySet) outcome {
	s, err := p.fetchIssuer(ctx, p.now())
	asked := p.now()
	switch {
	case err == nil:
		return outcome{set: s, from: fromIssuer, asked: asked}
	case stored != nil:
		p.metrics.Loaded(ctx, p.log, slog.LevelWarn, "keys: issuer fetch failed, serving the stored keys", SourceIssuer, OutcomeStale,
			slog.String("error", err.Error()), slog.Int("keys", len(stored.keys)), slog.Int64("fetched_at", stored.fetchedAt.Unix()))
		return outcome{set: stored, from: fromStore, asked: asked, err: err}
	case held != nil:
		p.metrics.Loaded(ctx, p.log, slog.LevelWarn, "keys: issuer fetch failed, serving the held keys", SourceIssuer, OutcomeStale,
			slog.String("error", err.Error()), slog.Int("keys", len(held.keys)), slog.Int64("fetched_at", held.fetchedAt.Unix()))
	default:
		p.metrics.Loaded(ctx, p.log, slog.LevelError, "keys: issuer fetch failed and no keys are held", SourceIssuer, OutcomeFailed,
			slog.String("error", err.Error()))
	}
	return outcome{from: keepHeld, asked: asked, err: err}
}

// fetchIssuer discovers the jwks_uri if needed and fetches the set, both
// within one FetchTimeout (and within ctx).
func (p *Provider) fetchIssuer(ctx context.Context, start time.Time) (*keySet, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	known := p.discovered.Load()
	u, err := p.jwksURI(ctx, known)
	if err != nil {
		return nil, err
	}
	set, err := p.client.Fetch(ctx, u)
	if err != nil {
		if known != nil {
			// The issuer may have moved its keys: rediscover next time.
			p.discovered.CompareAndSwap(known, nil)
		}
		return nil, err
	}
	p.logFetch(ctx, u, set)
	fetched := start.Truncate(time.Second)
	return &keySet{keys: set.Keys, json: set.JSON, fetchedAt: fetched, expiresAt: fetched.Add(p.ttl)}, nil
}

// jwksURI returns JWKSURL, else the jwks_uri known from an earlier
// discovery, else the one discovery finds now.
func (p *Provider) jwksURI(ctx context.Context, known *string) (string, error) {
	switch {
	case p.jwksURL != "":
		return p.jwksURL, nil
	case known != nil:
		return *known, nil
	}
	u, err := p.client.Discover(ctx, p.issuer)
	if err != nil {
		return "", err
	}
	p.discovered.Store(&u)
	return u, nil
}

// logFetch writes the one line of a successful fetch: counts, never a line
// per member, so a junk set of a megabyte costs one line. Dropped members
// make it a warning.
func (p *Provider) logFetch(ctx context.Context, u string, set *jwks.Set) {
	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String("jwks_url", u),
		slog.Int("keys", set.Len()),
		slog.Int("members", set.Members),
		slog.Int("dropped", set.DroppedTotal()),
	}
	if len(set.Dropped) > 0 {
		level = slog.LevelWarn
		reasons := make([]string, 0, len(set.Dropped))
		for r := range set.Dropped {
			reasons = append(reasons, string(r))
		}
		slices.Sort(reasons)
		by := make([]any, 0, len(reasons))
		for _, r := range reasons {
			by = append(by, slog.Int(r, set.Dropped[jwks.Reason(r)]))
		}
		attrs = append(attrs, slog.Group("dropped_by_reason", by...))
	}
	p.metrics.Loaded(ctx, p.log, level, "keys: fetched from the issuer", SourceIssuer, OutcomeOK, attrs...)
}
