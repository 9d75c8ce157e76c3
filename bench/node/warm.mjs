// Warm verdict cost of aws-jwt-verify: the JWKS preloaded with cacheJwks,
// verifySync in a loop over the fixture's tokens.
//
//   node warm.mjs <fixture-dir> [--alg RS256] [--rounds 5] [--seconds 2] [--check]
//
// Prints one JSON object: ns per verdict of each round and their median.
// --check only verifies every token once and that each bad token is refused.
import { loadFixture, jwksOf, newVerifier } from "./verify-common.mjs";

const args = process.argv.slice(2);
const dir = args[0];
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const alg = opt("--alg", "RS256");
const rounds = Number(opt("--rounds", "5"));
const seconds = Number(opt("--seconds", "2"));
const check = args.includes("--check");

const f = loadFixture(dir);
const set = f[alg];
const verifier = newVerifier(f, "https://issuer.invalid/jwks.json");
verifier.cacheJwks(jwksOf(f, alg));
const tokens = set.tokens;

// Correctness first, always.
for (const t of tokens) verifier.verifySync(t);
const refused = {};
for (const [name, t] of Object.entries(set.bad)) {
  try {
    verifier.verifySync(t);
    refused[name] = false;
  } catch {
    refused[name] = true;
  }
}
const other = f[alg === "RS256" ? "ES256" : "RS256"].tokens[0];
try {
  verifier.verifySync(other);
  refused["other alg"] = false;
} catch {
  refused["other alg"] = true;
}
const allRefused = Object.values(refused).every(Boolean);
if (check || !allRefused) {
  console.log(JSON.stringify({ alg, tokens: tokens.length, refused, ok: allRefused }));
  process.exit(allRefused ? 0 : 1);
}

// Warm-up, then rounds of whole passes over the tokens.
for (let i = 0; i < 3; i++) for (const t of tokens) verifier.verifySync(t);
const nsPerOp = [];
for (let r = 0; r < rounds; r++) {
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  do {
    for (const t of tokens) verifier.verifySync(t);
    n += tokens.length;
    now = process.hrtime.bigint();
  } while (now < deadline);
  nsPerOp.push(Number(now - start) / n);
}
const sorted = [...nsPerOp].sort((a, b) => a - b);
console.log(JSON.stringify({
  alg,
  tokens: tokens.length,
  rounds: nsPerOp,
  median: sorted[Math.floor(sorted.length / 2)],
  node: process.version,
  openssl: process.versions.openssl,
  awsJwtVerify: "5.2.1",
}));
