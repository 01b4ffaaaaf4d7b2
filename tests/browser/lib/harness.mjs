// Shared helpers for the browser tests: a throw-away RightTrack server, users made with
// the CLI, a headless Debian Chromium driven by playwright-core, TOTP codes, screenshots.
//
// Nothing here downloads a browser: Chromium is /usr/bin/chromium (override with
// CHROMIUM_PATH), the server binary is RIGHTTRACK_BIN (or a local debug build).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { Authenticator } from './totp.mjs';

export { totp, base32Decode, Authenticator } from './totp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const ARTIFACTS_DIR = process.env.ARTIFACTS_DIR
  ? path.resolve(process.env.ARTIFACTS_DIR)
  : path.join(REPO_ROOT, 'artifacts');
export const SCREENSHOT_DIR = path.join(ARTIFACTS_DIR, 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** The server binary: $RIGHTTRACK_BIN, else a local debug build. */
export function serverBinary() {
  const candidates = [
    process.env.RIGHTTRACK_BIN,
    path.join(REPO_ROOT, 'target-browser', 'debug', 'righttrack'),
    path.join(REPO_ROOT, 'target', 'debug', 'righttrack'),
  ].filter(Boolean);
  for (const c of candidates) {
    const abs = path.resolve(REPO_ROOT, c);
    if (existsSync(abs)) return abs;
  }
  throw new Error(
    `no righttrack binary found (tried ${candidates.join(', ')}); ` +
      'run scripts/browser-test.sh or set RIGHTTRACK_BIN',
  );
}

// Environment for child processes: never let the caller's RIGHTTRACK_* settings (a real
// database URL, a config file, --demo) leak into a test server.
function childEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RIGHTTRACK_') && k !== 'RIGHTTRACK_BIN') delete env[k];
  env.NO_COLOR = '1';
  return env;
}

const live = new Map(); // server process -> its temp data dir
function killAll() {
  for (const [child, dataDir] of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  live.clear();
}
// Last line of defence: whatever happens to this test process (uncaught error, the test
// runner's timeout, Ctrl-C), its servers die with it and their data dirs are removed.
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 })[sig]);
  });
}

/**
 * Starts `righttrack serve` on a fresh temp data dir and a free port.
 * Resolves once the server printed "RightTrack is listening on http://ADDR".
 */
export async function startServer({ demo = false, timeoutMs = 90_000 } = {}) {
  const bin = serverBinary();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'righttrack-browser-'));
  const args = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'];
  if (demo) args.push('--demo');
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  live.set(child, dataDir);
  let stderr = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8');

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not report listening within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    const onData = (d) => {
      stderr += d;
      // Wait for the whitespace after the address: stderr arrives in chunks, and a chunk
      // can end inside it ("http://127" would parse as host 0.0.0.127).
      const m = stderr.match(/RightTrack is listening on (http:\/\/[^\s]+)\s/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stderr.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  }).catch(async (e) => {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  // Keep collecting after the listening line (request logs, errors).
  child.stderr.removeAllListeners('data');
  child.stderr.on('data', (d) => (stderr += d));

  const server = {
    url,
    dataDir,
    bin,
    pid: child.pid,
    stderr: () => stderr,
    stdout: () => stdout,
    /** Adds a user with the CLI while the server runs (SQLite WAL). */
    addUser: (u) => addUser(bin, dataDir, u),
    /** Demo accounts printed once on stderr: { admin: 'pw', ethics: 'pw', ... }. */
    demoPasswords: () => parseDemoPasswords(stderr),
    async stop() {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  live.delete(child);
}

/** `righttrack user add ... --password-stdin`. */
export async function addUser(bin, dataDir, { username, password, role, team, displayName }) {
  const roles = Array.isArray(role) ? role.join(',') : role;
  const args = ['user', 'add', '--data-dir', dataDir, '--username', username, '--role', roles, '--password-stdin'];
  if (team) args.push('--team', team);
  if (displayName) args.push('--display-name', displayName);
  const { code, out } = await run(bin, args, `${password}\n`);
  if (code !== 0) throw new Error(`user add ${username} failed (exit ${code}): ${out}`);
  return out.trim();
}

// Runs the server binary once (without the caller's RIGHTTRACK_* settings), feeding it
// `stdin`; resolves to its exit code, its stdout and both streams interleaved.
async function run(bin, args, stdin) {
  const child = spawn(bin, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: childEnv() });
  let stdout = '';
  let out = '';
  child.stdout.on('data', (d) => ((stdout += d), (out += d)));
  child.stderr.on('data', (d) => (out += d));
  if (stdin !== undefined) child.stdin.end(stdin);
  const [code] = await once(child, 'exit');
  return { code, stdout, out };
}

/**
 * `righttrack ARGS --data-dir DIR` against a test server's data directory (SQLite WAL, so
 * while it runs). Returns stdout; throws with everything printed when it fails.
 */
export async function cli(server, args) {
  const { code, stdout, out } = await run(server.bin, [...args, '--data-dir', server.dataDir]);
  if (code !== 0) throw new Error(`righttrack ${args.join(' ')} failed (exit ${code}): ${out}`);
  return stdout;
}

/** Writes interactions (objects) as JSON lines and runs `righttrack import` on them. */
export async function importLines(server, lines) {
  const file = path.join(server.dataDir, `calls-${Date.now()}.jsonl`);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return cli(server, ['import', file]);
}

/** Parses the lines after "These passwords are shown once:" into { username: password }. */
export function parseDemoPasswords(stderr) {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.includes('These passwords are shown once:'));
  if (start < 0) throw new Error(`no demo passwords on stderr:\n${stderr}`);
  const out = {};
  for (const line of lines.slice(start + 1)) {
    if (!/^\s{2}\S/.test(line)) break; // indented account lines end at the first other line
    const parts = line.trim().split(/\s+/);
    out[parts[0]] = parts[parts.length - 1];
  }
  return out;
}

/** Headless Debian Chromium. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: apt-get install -y chromium (or run scripts/browser-test.sh)`);
  }
  // playwright-core gives each launch its own fresh temporary profile (user-data-dir).
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/** A fresh browser context (own cookies) with a desktop or mobile viewport; `options` go to playwright. */
export async function newContext(browser, baseURL, viewport = DESKTOP, options = {}) {
  const mobile = viewport.width < 600;
  const ctx = await browser.newContext({
    baseURL,
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
    ...options,
  });
  ctx.setDefaultTimeout(15_000);
  ctx.setDefaultNavigationTimeout(20_000);
  return ctx;
}

/**
 * Records what a page should never do: script errors, console errors (CSP violations show
 * up there), failed requests, 5xx documents and 4xx sub-resources (stylesheet, images).
 * `problems()` lists them.
 *
 * Ignored: /favicon.ico (the server has none, so Chromium's automatic request 404s; see
 * the report), and Chromium's console line for non-2xx documents, whose statuses the
 * tests assert themselves.
 */
export function watch(page) {
  const problems = [];
  const ignored = (url) => new URL(url).pathname === '/favicon.ico';
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (/^Failed to load resource: the server responded with a status of/.test(text)) return;
    problems.push(`console: ${text}`);
  });
  page.on('requestfailed', (r) => {
    if (!ignored(r.url())) problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (ignored(r.url())) return;
    const doc = r.request().resourceType() === 'document';
    if (r.status() >= 500 || (!doc && r.status() >= 400)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { problems: () => problems.slice() };
}

/**
 * Full-page screenshot to artifacts/screenshots/NAME.png. Chromium now and then refuses a
 * capture right after a very tall one ("Unable to capture screenshot", seen with two test
 * files at once): that is the browser's, not the page's, so it is tried once more.
 */
export async function shot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  const take = () => page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  try {
    await take();
  } catch (e) {
    if (!String(e?.message).includes('Unable to capture screenshot')) throw e;
    await new Promise((r) => setTimeout(r, 500));
    await take();
  }
  return file;
}

/** Runs `action` (a click or submit) and returns the main-frame document response it caused. */
export async function navigation(page, action) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  // After a POST/redirect/GET, report the final document's response.
  return resp;
}

/** Fills the sign-in form and submits it. Returns the final document response. */
export async function signIn(page, username, password) {
  if (!new URL(page.url()).pathname.startsWith('/login') || (await page.locator('#password').count()) === 0) {
    const resp = await page.goto('/login');
    if ((await page.locator('#username').count()) === 0) {
      throw new Error(`no sign-in form at ${page.url()} (HTTP ${resp?.status()}): ${await describe(page)}`);
    }
  }
  await page.fill('#username', username);
  await page.fill('#password', password);
  return navigation(page, () => page.click('main button[type=submit]'));
}

/** A short description of what a page shows, for error messages. */
export async function describe(page) {
  const text = await page
    .locator('body')
    .innerText({ timeout: 2_000 })
    .catch((e) => `(no body: ${e.message})`);
  return `${page.url()} ${JSON.stringify(text.slice(0, 300))}`;
}

/** Clicks the header's "Sign out" button. */
export async function signOut(page) {
  return navigation(page, () => page.getByRole('button', { name: 'Sign out' }).click());
}

/** Labels of the main navigation. */
export async function navLabels(page) {
  return page.locator('nav[aria-label="Main"] a').allTextContents().then((a) => a.map((s) => s.trim()));
}

/** How many CSS pixels the document is wider than the viewport (0: no sideways scrolling). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

export const pathname = (page) => new URL(page.url()).pathname;

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Makes users' data-privacy training current, as an LMS export would: writes a CSV and
 * runs `righttrack training import` (case content and originals need it).
 */
export async function trainUsers(server, usernames) {
  const file = path.join(server.dataDir, `training-${Date.now()}.csv`);
  const today = new Date().toISOString().slice(0, 10);
  writeFileSync(file, `username,course,completed_at,score\n${usernames.map((u) => `${u},data-privacy,${today},100`).join('\n')}\n`);
  return (await cli(server, ['training', 'import', file])).trim();
}

/**
 * On the forced enrolment page after a first sign-in: enrols a new authenticator with its
 * first code and checks the user lands on home. Returns the authenticator.
 */
export async function enrolTotp(page) {
  assert.equal(pathname(page), '/account/2fa', 'a privileged user enrols a second factor first');
  const app = new Authenticator((await page.locator('#totp-secret').textContent()).trim());
  await page.fill('#code', (await app.code()).code);
  await navigation(page, () => page.getByRole('button', { name: 'Turn on two-factor' }).click());
  assert.equal(pathname(page), '/');
  return app;
}

/**
 * A test file's server and browser. Registers the file's `before` hook (starts the server,
 * with the demo organisation when `demo`, alongside the browser; adds `users`, each with
 * `password` unless it has its own; then runs `setup(server)`) and its `after` hook
 * (closes every context opened here, the browser, then stops the server). The returned
 * object holds `server`, `browser` and (demo) `passwords` once `before` has run.
 */
export function testServer({ demo = false, users = [], password, setup } = {}) {
  const contexts = [];
  // node:test may run a file's own `before` hooks alongside this one: whatever needs the
  // server or the browser waits for them here.
  let started;
  const ready = new Promise((resolve, reject) => (started = { resolve, reject }));
  ready.catch(() => {}); // reported by the hook itself
  const env = {
    server: undefined,
    browser: undefined,
    passwords: {},

    /** A new browser context, closed with the file. */
    async context(viewport = DESKTOP, options = {}) {
      await ready;
      const ctx = await newContext(env.browser, env.server.url, viewport, options);
      contexts.push(ctx);
      return ctx;
    },

    /** A page in a new context, with its watcher. */
    async page(viewport = DESKTOP, options = {}) {
      const ctx = await env.context(viewport, options);
      const page = await ctx.newPage();
      return { ctx, page, watcher: watch(page) };
    },

    /**
     * A page in a new context, signed in as `username` (with the file's password, else
     * the demo one). `twoFactor`: enrols an authenticator first (privileged roles must);
     * either way the user is checked to land on home.
     */
    async signedIn(username, { viewport = DESKTOP, twoFactor = false } = {}) {
      const session = await env.page(viewport);
      await signIn(session.page, username, password ?? env.passwords[username]);
      if (twoFactor) session.app = await enrolTotp(session.page);
      else assert.equal(pathname(session.page), '/', `${username} signed in`);
      return session;
    },

    /** `righttrack ARGS` against this server's data directory; see [`cli`]. */
    cli: (args) => cli(env.server, args),
  };
  before(async () => {
    try {
      // Start the browser while the server boots.
      [env.server, env.browser] = await Promise.all([startServer({ demo }), launchBrowser()]);
      if (demo) env.passwords = env.server.demoPasswords();
      for (const u of users) await env.server.addUser({ password, ...u });
      if (setup) await setup(env.server);
      started.resolve();
    } catch (e) {
      started.reject(e);
      throw e;
    }
  });
  after(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await env.browser?.close().catch(() => {});
    await env.server?.stop();
  });
  return env;
}
