// Shared by the Node harnesses: an aws-jwt-verify JwtVerifier applying the
// same checks as the Go harnesses (alg from the JWK, signature, iss, exp with
// 60 s grace, aud, required scope, client_id).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JwtVerifier } from "aws-jwt-verify";

export function loadFixture(dir) {
  const f = JSON.parse(readFileSync(join(dir, "fixture.json"), "utf8"));
  f.dir = dir;
  return f;
}

export function jwksOf(f, alg) {
  return JSON.parse(readFileSync(join(f.dir, f[alg].jwks), "utf8"));
}

export function newVerifier(f, jwksUri) {
  return JwtVerifier.create({
    issuer: f.issuer,
    audience: f.audience,
    jwksUri,
    scope: [f.requiredScope],
    graceSeconds: 60,
    // aws-jwt-verify checks exp only when present; the Go harnesses
    // require it, so this one does too.
    customJwtCheck: ({ payload }) => {
      if (typeof payload.exp !== "number") {
        throw new Error("exp missing");
      }
      if (payload.client_id !== f.clientId) {
        throw new Error("client_id mismatch");
      }
    },
  });
}
