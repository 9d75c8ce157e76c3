// The sign-in page in a real browser (Debian's chromium driven by
// playwright-core): starts `make demo`'s command, signs the demo user in,
// makes the three calls and checks what the page shows and the status codes
// the browser saw; then loads the same page from an origin the API does not
// allow and checks that the browser refuses the call. Waits on events only
// (demo output lines, page state), with generous deadlines.
//
//   node test/signin.test.mjs
//   CHROMIUM=/usr/bin/chromium   the browser (default /usr/bin/chromium)
//   DEMO_BIN=../bin/demo         the demo command (the Makefile builds it)
//   SCREENSHOT=path.png          where the page after the three calls goes
//                                (default ../build/web/signin.png)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(web, "..");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const demoBin = resolve(root, process.env.DEMO_BIN || "bin/demo");
const screenshot = resolve(root, process.env.SCREENSHOT || "build/web/signin.png");
const minute = 60_000;

function fail(msg) {
  console.error(`browser test: ${msg}`);
  process.exit(1);
}
if (!existsSync(browserPath)) fail(`no browser at ${browserPath}: install Debian's chromium (make browser-test does) or set CHROMIUM`);
if (!existsSync(demoBin)) fail(`no demo command at ${demoBin}: go build -o bin/demo ./test/cmd/demo (make browser-test does)`);

// The demo, on free ports; its output lines are the events we wait for.
const demo = spawn(demoBin, [], {
  cwd: root,
  env: { ...process.env, DEMO_LISTEN: "127.0.0.1:0", DEMO_WEB_LISTEN: "127.0.0.1:0" },
  stdio: ["ignore", "pipe", "inherit"],
});
const demoExit = new Promise((res) => demo.on("exit", (code, signal) => res({ code, signal })));
const seen = {};
const ready = new Promise((res, rej) => {
  createInterface({ input: demo.stdout }).on("line", (line) => {
    console.log(`  ${line}`);
    const m = line.match(/^demo: (page|user|password)\s+(\S+)$/);
    if (m) seen[m[1]] = m[2];
    if (line.startsWith("demo: running;")) res();
  });
  demoExit.then(({ code, signal }) => rej(new Error(`demo exited before it was ready (code ${code}, signal ${signal})`)));
});

let browser, other, profile;
let failed = false;
try {
  await withDeadline(ready, 20 * minute, "the demo to be ready");
  for (const k of ["page", "user", "password"]) assert.ok(seen[k], `demo printed no "${k}" line`);
  const pageURL = new URL(seen.page);

  // The same page from another origin (another port): the API refuses it.
  other = await serveFrom(pageURL);

  profile = mkdtempSync(join(tmpdir(), "signin-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 900, height: 760 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });

  // 1. The allowed origin: sign in, three calls.
  const page = await browser.newPage();
  const statuses = [];
  page.on("response", (r) => {
    if (r.request().method() === "GET" && new URL(r.url()).pathname.includes("/hello/")) statuses.push(r.status());
  });
  await signIn(page, pageURL.href, seen.user, seen.password);
  const userId = (await page.textContent("#user-id")).trim();
  assert.match(userId, /^[0-9a-f-]{36}$/, "the page shows the user id (sub) from the token");

  const mine = await callAndRead(page, "#call-mine", "call my hello");
  assert.equal(mine.status, "200");
  assert.deepEqual(JSON.parse(mine.body), { message: `Hello, ${userId}!`, userId });

  const others = await callAndRead(page, "#call-other", "call someone else's");
  assert.equal(others.status, "403");
  assert.deepEqual(JSON.parse(others.body), { message: "The token is valid but does not grant access to this resource" });

  const out = await callAndRead(page, "#call-signed-out", "sign out, then call");
  assert.equal(out.status, "401");
  assert.match(out.challenge, /^WWW-Authenticate: Bearer realm="[^"]+"$/, "the page reads WWW-Authenticate (exposed by CORS)");
  assert.doesNotMatch(out.challenge, /error=/, "no error code on a request without a token (RFC 6750 3.1)");
  assert.deepEqual(JSON.parse(out.body), { message: "Unauthorized" });
  assert.equal(await page.isVisible("#sign-in"), true, "signed out: the form is back");
  assert.equal((await page.textContent("#last-user-id")).trim(), userId, "signed out: the page says who it was");
  assert.deepEqual(statuses, [200, 403, 401], "the status codes the browser saw");

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`browser test: screenshot ${screenshot}`);

  // 2. Another origin: the sign-in works (Cognito allows any origin), the
  // API call is refused by the browser, not by the API.
  const stranger = await browser.newPage();
  const refused = [];
  stranger.on("requestfailed", (r) => {
    if (new URL(r.url()).pathname.includes("/hello/")) refused.push(r.failure()?.errorText);
  });
  await signIn(stranger, other.url, seen.user, seen.password);
  const blocked = await callAndRead(stranger, "#call-mine", "call my hello");
  assert.equal(blocked.status, "blocked", `a page on ${other.url} must not read the API's answer`);
  assert.match(blocked.error, /blocked by the browser/);
  assert.equal(refused.length, 1, "the browser failed the request itself");
  console.log(`browser test: ${other.url} refused by the browser (${refused[0]})`);
  console.log("browser test: ok");
} catch (err) {
  failed = true;
  console.error(`browser test: FAIL: ${err.stack || err}`);
} finally {
  await browser?.close().catch(() => {});
  if (profile) rmSync(profile, { recursive: true, force: true });
  other?.server.close();
  // Ctrl-C: the demo destroys its stack and stops what it started.
  if (demo.exitCode === null && demo.signalCode === null) demo.kill("SIGINT");
  const { code } = await withDeadline(demoExit, 10 * minute, "the demo to stop").catch((e) => {
    demo.kill("SIGKILL");
    console.error(`browser test: ${e.message}`);
    return { code: 1 };
  });
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);

async function signIn(page, url, user, password) {
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: minute });
  await page.fill("#username", user);
  await page.fill("#password", password);
  await page.click("#sign-in-button");
  await page.waitForSelector("#signed-in:not([hidden])", { timeout: minute });
}

// callAndRead clicks a button and reads the result line it adds.
async function callAndRead(page, button, label) {
  const before = await page.locator("#results li").count();
  await page.click(button);
  const li = page.locator("#results li").nth(before);
  await li.waitFor({ timeout: 2 * minute });
  assert.equal(await li.getAttribute("data-call"), label);
  const text = async (field) => ((await li.locator(`[data-field=${field}]`).count()) ? (await li.locator(`[data-field=${field}]`).textContent()) : null);
  return { status: await li.getAttribute("data-status"), body: await text("body"), challenge: await text("www-authenticate"), error: await text("error") };
}

// serveFrom serves web/ on another port, with the demo page's config.
async function serveFrom(pageURL) {
  const config = await (await fetch(new URL("config.json", pageURL))).text();
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/config.json") return void res.writeHead(200, { "Content-Type": types[".json"] }).end(config);
    const file = path === "/" ? "index.html" : path.slice(1);
    if (!["index.html", "app.js", "style.css"].includes(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": types[extname(file)] }).end(readFileSync(join(web, file)));
  });
  await new Promise((res) => server.listen(0, "127.0.0.1", res));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

function withDeadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${ms / 1000}s waiting for ${what}`)), ms); }),
  ]);
}
