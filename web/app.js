// The sign-in page: signs in against Cognito, shows the user id from the
// access token and calls the API three ways. config.json (same origin) says
// where the API and Cognito are and how to sign in:
//
//   signIn "password": Cognito's InitiateAuth (USER_PASSWORD_AUTH) from the
//     page, as the local demo does it against moto;
//   signIn "hosted": the hosted UI with the authorization code flow and PKCE,
//     for a real deployment.
//
// The tokens live in this page's memory only: never in localStorage or a
// cookie, and the API gets them in Authorization (CORS without credentials).

// Nobody's id: a path the authorizer's policy never grants to the caller.
const someoneElse = "00000000-0000-4000-8000-000000000000";

const $ = (id) => document.getElementById(id);
let config;
let session = null; // { accessToken, userId }

async function main() {
  $("page-origin").textContent = location.origin;
  config = await (await fetch("config.json", { cache: "no-store" })).json();
  $("api-base").textContent = config.api;
  if (config.signIn === "hosted") {
    $("sign-in").hidden = true;
    $("hosted-sign-in").hidden = false;
    $("hosted-sign-in").addEventListener("click", () => hostedSignIn().catch(showSignInError));
    await hostedCallback().catch(showSignInError);
  }
  $("sign-in").addEventListener("submit", (e) => {
    e.preventDefault();
    passwordSignIn($("username").value, $("password").value).catch(showSignInError);
  });
  $("call-mine").addEventListener("click", () => call("call my hello", session.userId, session.accessToken));
  $("call-other").addEventListener("click", () => call("call someone else's", someoneElse, session.accessToken));
  $("call-signed-out").addEventListener("click", () => {
    const userId = session.userId;
    signOut();
    return call("sign out, then call", userId, null);
  });
  document.body.dataset.ready = "true";
}

function showSignInError(err) {
  $("sign-in-error").textContent = String(err.message || err);
}

// USER_PASSWORD_AUTH through Cognito's public JSON API: unsigned, CORS-enabled
// (the app client must allow ALLOW_USER_PASSWORD_AUTH and have no secret).
async function passwordSignIn(username, password) {
  $("sign-in-error").textContent = "";
  const resp = await fetch(config.cognito.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: config.cognito.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
  const out = await resp.json();
  if (!resp.ok) throw new Error(`sign-in refused: ${out.message || out.__type || resp.status}`);
  if (!out.AuthenticationResult) throw new Error(`sign-in needs ${out.ChallengeName}, which this page does not handle`);
  signedIn(out.AuthenticationResult.AccessToken);
}

// Hosted UI, authorization code flow with PKCE (RFC 7636, S256). Not run
// locally: moto has no hosted UI.
async function hostedSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const u = new URL("/oauth2/authorize", config.cognito.hostedUi);
  u.search = new URLSearchParams({
    response_type: "code", client_id: config.cognito.clientId, redirect_uri: config.cognito.redirectUri,
    scope: "openid email", state, code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(u);
}

async function hostedCallback() {
  const q = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem("pkce") || "null");
  sessionStorage.removeItem("pkce");
  if (!q.has("code") && !q.has("error")) return;
  history.replaceState(null, "", location.pathname); // the code is single-use: off the address bar
  if (q.has("error")) throw new Error(`sign-in refused: ${q.get("error")}`);
  if (!saved || q.get("state") !== saved.state) throw new Error("sign-in answer does not match this page's request (state)");
  const resp = await fetch(new URL("/oauth2/token", config.cognito.hostedUi), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: config.cognito.clientId, code: q.get("code"),
      redirect_uri: config.cognito.redirectUri, code_verifier: saved.verifier,
    }),
  });
  const out = await resp.json();
  if (!resp.ok) throw new Error(`token exchange refused: ${out.error || resp.status}`);
  signedIn(out.access_token);
}

function signedIn(accessToken) {
  // The page reads the user id to build its URLs; it trusts nothing else in
  // the token: the API's authorizer verifies it.
  const claims = JSON.parse(new TextDecoder().decode(base64urlDecode(accessToken.split(".")[1])));
  session = { accessToken, userId: claims.sub };
  $("user-id").textContent = claims.sub;
  $("signed-in").hidden = false;
  $("signed-out").hidden = true;
  $("signed-out-note").hidden = true;
  $("password").value = "";
  for (const id of ["call-mine", "call-other", "call-signed-out"]) $(id).disabled = false;
}

function signOut() {
  $("last-user-id").textContent = session.userId;
  $("signed-out-note").hidden = false;
  session = null;
  $("user-id").textContent = "";
  $("signed-in").hidden = true;
  $("signed-out").hidden = false;
  for (const id of ["call-mine", "call-other", "call-signed-out"]) $(id).disabled = true;
}

// call GETs /hello/{userId} and shows what the browser let the page read:
// status, body and WWW-Authenticate; or that the browser refused (CORS).
async function call(label, userId, token) {
  const li = document.createElement("li");
  li.dataset.call = label;
  const url = `${config.api}/hello/${encodeURIComponent(userId)}`;
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  let line;
  try {
    const resp = await fetch(url, { headers, credentials: "omit", cache: "no-store" });
    const body = await resp.text();
    const challenge = resp.headers.get("WWW-Authenticate");
    li.dataset.status = String(resp.status);
    line = `<span class="status s${String(resp.status)[0]}">${resp.status}</span> ${esc(label)} <code>GET ${esc(url)}</code>` +
      (challenge ? `<pre data-field="www-authenticate">WWW-Authenticate: ${esc(challenge)}</pre>` : "") +
      `<pre data-field="body">${esc(body)}</pre>`;
  } catch (err) {
    // A CORS refusal reaches the page as a bare network error, by design.
    li.dataset.status = "blocked";
    line = `<span class="status s0">—</span> ${esc(label)} <code>GET ${esc(url)}</code>` +
      `<pre data-field="error">blocked by the browser: ${esc(err.message)} (CORS: this origin is not the API's allowed one?)</pre>`;
  }
  li.innerHTML = line;
  $("results").append(li);
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64urlDecode(s) {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

main().catch((err) => {
  document.body.dataset.ready = "error";
  showSignInError(err);
});
