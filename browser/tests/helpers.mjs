// Shared helpers of the browser tests: start the real binary on a fresh database with demo data,
// launch Debian's Chromium through playwright-core, sign in, and make valid citizen ID numbers.
//
// Each test file calls startServer() once (in `before`) and so gets its own temporary directory,
// database, key file and port: files never share state, whatever order they run in.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const browserDir = path.resolve(here, '..');

/** The binary under test: GRIDWATCH_BIN (a relative path is taken from browser/), else
 * ../target/debug/gridwatch. */
export const BIN = path.resolve(
  browserDir,
  process.env.GRIDWATCH_BIN || path.join('..', 'target', 'debug', 'gridwatch'),
);

/** Debian's Chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The password of every demo account. */
export const DEMO_PASSWORD = 'gridwatch-demo';

/** A phone (grid worker, guard, doctor, volunteer) and a desktop (staff, auditor). */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

/** Where screenshots go when GRIDWATCH_SCREENSHOTS names a folder (e.g. /tmp/gw-shots). */
const SHOTS = process.env.GRIDWATCH_SCREENSHOTS || '';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs the binary to completion; rejects with its output when it fails or takes too long. */
function run(args, { env, cwd, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gridwatch ${args.join(' ')} took over ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`gridwatch ${args.join(' ')} exited with ${code ?? signal}:\n${out}`));
    });
  });
}

/**
 * Starts Gridwatch: a fresh temporary directory with its own SQLite database and key file,
 * `gridwatch demo --residents 300 --grids 2`, then `gridwatch serve --listen 127.0.0.1:PORT` in
 * the background, and waits until GET /login answers. `env` adds settings (e.g. GRIDWATCH_TIME_ZONE).
 * Returns { baseURL, dir, log(), stop() }.
 */
export async function startServer({ residents = 300, grids = 2, activity = false, env: extraEnv = {} } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`no gridwatch binary at ${BIN}: run \`cargo build\` or set GRIDWATCH_BIN`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gridwatch-browser-'));
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const env = {
    ...process.env,
    GRIDWATCH_DATABASE: `sqlite://${path.join(dir, 'gw.db')}`,
    GRIDWATCH_KEY_FILE: path.join(dir, 'gridwatch.key'),
    GRIDWATCH_LISTEN: listen,
    GRIDWATCH_LOG: process.env.GRIDWATCH_LOG || 'warn',
    ...extraEnv,
  };
  // Never pick up a developer's gridwatch.toml or key: run inside the temporary directory.
  delete env.GRIDWATCH_SECRET_KEY;
  delete env.GRIDWATCH_CONFIG;
  const demo = ['demo', '--residents', String(residents), '--grids', String(grids)];
  // The tests place their own residents in quarantine; the seeded month would be in the way.
  if (!activity) demo.push('--no-activity');
  await run(demo, {
    env,
    cwd: dir,
    timeoutMs: 90_000,
  });

  const child = spawn(BIN, ['serve', '--listen', listen], {
    env,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = code ?? signal;
      resolve();
    }),
  );
  // Should this process die without `after` running, the server goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const baseURL = `http://${listen}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) {
      process.off('exit', killOnExit);
      throw new Error(`gridwatch serve exited with ${exited} before answering:\n${output}`);
    }
    try {
      const res = await fetch(`${baseURL}/login`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new Error(`gridwatch serve did not answer GET /login within 30 s:\n${output}`);
    }
    await sleep(100);
  }

  return {
    baseURL,
    dir,
    env,
    log: () => output,
    async stop() {
      process.off('exit', killOnExit);
      // Errors the server logged (GRIDWATCH_LOG=warn) show in the test output.
      const errors = output.split('\n').filter((l) => /\bERROR\b/.test(l));
      if (errors.length > 0) console.error(`gridwatch serve logged:\n${errors.join('\n')}`);
      if (exited === null) {
        // The server shuts down gracefully on ctrl-c (SIGINT); SIGKILL if it lingers.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exitPromise;
        clearTimeout(timer);
      }
      if (!process.env.GRIDWATCH_KEEP_TMP) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs another `gridwatch` command on the server's database and settings; resolves with its output. */
export function runCli(server, args, timeoutMs = 60_000) {
  return run(args, { env: server.env, cwd: server.dir, timeoutMs });
}

/** Launches headless Chromium from Debian, never a downloaded browser. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * The server and the browser of one test file: started before its tests, stopped after them.
 * The returned object holds both once `before` has run.
 */
export function serverAndBrowser(options) {
  const env = {};
  before(async () => {
    env.server = await startServer(options);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/**
 * A new browser context (its own cookies) and page on the server, as a phone or a desktop.
 * The browser asks for Chinese first, as a browser in the community would.
 */
export async function newPage(browser, server, device = DESKTOP) {
  const context = await browser.newContext({
    ...device,
    baseURL: server.baseURL,
    locale: 'zh-CN',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  // What went wrong behind the scenes: script errors, and sub-resources (scripts, styles, htmx
  // requests) that failed. A page itself may answer 401 or 422 on purpose; tests check those.
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx as "Failed to load resource"; the response handler names the URL.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    const req = r.request();
    if (r.status() < 400 || req.resourceType() === 'document') return;
    // Chromium asks for /favicon.ico on its own; no page links it.
    if (new URL(r.url()).pathname === '/favicon.ico') return;
    problems.push(`${r.status()} ${req.method()} ${r.url()} (${req.resourceType()})`);
  });
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText || '';
    // A download ends its navigation with ERR_ABORTED; that is not a failure.
    if (failure.includes('ERR_ABORTED')) return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${failure}`);
  });
  page.problems = problems;
  return page;
}

/** Signs in through the login form and waits to leave /login. */
export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.click('form[action="/login"] button[type=submit]'),
  ]);
}

/** Saves a screenshot (the whole page unless fullPage is false) when GRIDWATCH_SCREENSHOTS is set; returns its path or null. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  if (!SHOTS) return null;
  await mkdir(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits. */
export function checkChar(first17) {
  if (!/^\d{17}$/.test(first17)) throw new Error(`not 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

let sequence = 0;

/**
 * A valid 18-character citizen ID number: region (default 610825, S County), a random birth
 * date between 1950 and 2004, a sequence code not used before in this process, the check digit.
 */
export function citizenId(region = '610825') {
  const year = 1950 + Math.floor(Math.random() * 55);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  sequence = (sequence + 1 + Math.floor(Math.random() * 50)) % 1000;
  const first17 =
    region +
    String(year) +
    String(month).padStart(2, '0') +
    String(day).padStart(2, '0') +
    String(sequence).padStart(3, '0');
  return first17 + checkChar(first17);
}

/** The same number with a wrong check character. */
export function withWrongCheck(id) {
  const right = id[17];
  const wrong = right === '1' ? '2' : '1';
  return id.slice(0, 17) + wrong;
}

/** A name nobody in the demo has: a surname and two characters picked at random. */
export function uniqueName(prefix = '试') {
  const chars = '安柏晨丹恩芳歌航华佳锦凯岚磊敏宁鹏琪锐珊涛薇欣燕怡哲振';
  let s = prefix;
  for (let i = 0; i < 3; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}


/** How far the page runs past the right edge of the window, in px. */
export async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Taps `selector` and waits until the page is at `url` (a string, a pattern or a test of a URL). */
export async function tap(page, selector, url) {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
}

/** Checks a call `button` shows its number masked (`where` shows it: the card, the row) and is
 * big enough to tap; the text it shows. */
export async function maskedCallButton(button, where) {
  const shown = await button.textContent();
  assert.match(shown, /1\d\d\*{4}\d{4}/, `the ${where} shows the number masked: ${shown}`);
  const box = await button.boundingBox();
  assert.ok(box.height >= 44 && box.width >= 44, `a tap target of ${box.width}×${box.height}`);
  return shown;
}

/** Taps a call `button` on `page`: the server answers with the full number as a tel: address,
 * which this returns. */
export async function dial(page, button) {
  const [answer] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/calls' && r.request().method() === 'POST'),
    button.click({ noWaitAfter: true }),
  ]);
  assert.equal(answer.status(), 303);
  const tel = answer.headers().location;
  assert.match(tel, /^tel:1\d{10}$/, `dialled ${tel}`);
  return tel;
}

/** The auditor, signed in on a desktop, and the rows of the trail's phone calls as text. */
export async function auditedCalls(env) {
  const auditor = await newPage(env.browser, env.server, DESKTOP);
  await login(auditor, 'auditor');
  await auditor.goto('/audit?action=phone_call');
  const rows = await auditor.$$eval('[data-testid=audit-table] tbody tr', (trs) =>
    trs.map((tr) => tr.textContent.replace(/\s+/g, ' ').trim()),
  );
  return { auditor, rows };
}
