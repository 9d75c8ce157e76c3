// Node side of the like-for-like cold-start harness: start, load the JWKS
// from JWKS_URL with aws-jwt-verify, verify TOKEN once with the same checks
// as the Go harnesses, print one JSON line, exit.
import { JwtVerifier } from "aws-jwt-verify";

const env = process.env;
const verifier = JwtVerifier.create({
  issuer: env.ISSUER,
  audience: env.AUDIENCES,
  jwksUri: env.JWKS_URL,
  scope: [env.REQUIRED_SCOPES],
  graceSeconds: 60,
  customJwtCheck: ({ payload }) => {
    if (typeof payload.exp !== "number") throw new Error("exp missing");
    if (payload.client_id !== env.CLIENT_IDS) throw new Error("client_id mismatch");
  },
});
try {
  const payload = await verifier.verify(env.TOKEN);
  process.stdout.write(JSON.stringify({ principalId: payload.sub }) + "\n");
} catch (err) {
  process.stderr.write(`verdict-once: ${err}\n`);
  process.exit(1);
}
