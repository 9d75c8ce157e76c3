package token

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4/jwt"
)

// validate checks the claims of a token whose signature verified against
// the issuer's rules and the verifier's global ones.
func (v *Verifier) validate(c *claimSet, iss *issuer) (Claims, error) {
	// ValidateWithLeeway skips a missing exp; a token must expire.
	if c.expiry == nil {
		return Claims{}, fmt.Errorf("check exp: missing: %w", ErrClaims)
	}
	registered := jwt.Claims{Issuer: c.issuer, Audience: c.audience, Expiry: c.expiry, NotBefore: c.notBefore, IssuedAt: c.issuedAt}
	err := registered.ValidateWithLeeway(jwt.Expected{
		AnyAudience: jwt.Audience(iss.cfg.Audiences),
		Time:        v.now(),
	}, v.leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return Claims{}, fmt.Errorf("check exp: %w", ErrExpired)
	case errors.Is(err, jwt.ErrNotValidYet):
		return Claims{}, fmt.Errorf("check nbf: %w", ErrNotYetValid)
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return Claims{}, fmt.Errorf("check iat: in the future: %w", ErrNotYetValid)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return Claims{}, fmt.Errorf("check aud: %w", ErrAudience)
	case err != nil:
		return Claims{}, fmt.Errorf("check claims: %w", ErrClaims)
	}
	if len(iss.cfg.ClientIDs) > 0 {
		// Each client id claim present must be allowed, so a token cannot
		// carry a good cid next to a bad client_id.
		if !c.clientID.ok && !c.cid.ok ||
			c.clientID.ok && !slices.Contains(iss.cfg.ClientIDs, c.clientID.value) ||
			c.cid.ok && !slices.Contains(iss.cfg.ClientIDs, c.cid.value) {
			return Claims{}, fmt.Errorf("check client id: %w", ErrClientID)
		}
	}
	if iss.cfg.TokenUse != "" && (!c.tokenUse.ok || c.tokenUse.value != iss.cfg.TokenUse) {
		return Claims{}, fmt.Errorf("check token_use: %w", ErrTokenUse)
	}
	for _, want := range v.required {
		if !slices.Contains(c.scopes, want) {
			return Claims{}, fmt.Errorf("check scope: %w", ErrScope)
		}
	}
	user, ok := c.userID(iss.cfg.UserIDClaim)
	if !ok {
		return Claims{}, fmt.Errorf("read %s: missing or not a string: %w", iss.cfg.UserIDClaim, ErrUserIDClaim)
	}
	out := Claims{UserID: user, Issuer: c.issuer, IssuerName: iss.cfg.Name, Scope: c.scope, Scopes: c.scopes}
	switch {
	case c.clientID.ok:
		out.ClientID = c.clientID.value
	case c.cid.ok:
		out.ClientID = c.cid.value
	}
	if err := c.mapped(iss.cfg, &out); err != nil {
		return Claims{}, err
	}
	return out, nil
}
