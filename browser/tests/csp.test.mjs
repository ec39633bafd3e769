// The pages run under a strict Content-Security-Policy (no inline script, no inline handlers):
// walking the main pages as staff and as a doctor raises no CSP violation, and htmx still loads
// its sections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, DESKTOP, PHONE } from './helpers.mjs';

const env = serverAndBrowser();

/** A page that records every CSP violation, from the DOM event and from the console. */
async function watchedPage(device) {
  const page = await newPage(env.browser, env.server, device);
  const violations = [];
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.violations = async () => violations.concat(await page.evaluate(() => window.__csp || []));
  return page;
}

async function visit(page, path) {
  const res = await page.goto(path);
  assert.ok(res.status() < 400, `${path}: ${res.status()}`);
  assert.match(res.headers()['content-security-policy'] || '', /default-src 'self'/, path);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(await page.violations(), [], `CSP violations on ${path}`);
  assert.equal(await page.evaluate(() => typeof window.htmx), 'object', `htmx runs on ${path}`);
}

test('staff pages and htmx sections raise no CSP violation', async () => {
  const page = await watchedPage(DESKTOP);
  await login(page, 'staff');
  for (const path of ['/', '/residents', '/quarantine', '/imports', '/screening', '/tasks', '/account/tokens']) {
    await visit(page, path);
  }
  // A household page loads its quarantine section through htmx (hx-trigger=load).
  await page.goto('/residents');
  const resident = page.locator('main a[href^="/residents/"]').first();
  if ((await resident.count()) > 0) {
    await Promise.all([page.waitForURL(/\/residents\/\d+/), resident.click()]);
    const household = page.locator('main a[href^="/households/"]').first();
    if ((await household.count()) > 0) {
      const href = await household.getAttribute('href');
      await visit(page, href);
      // The section placeholder was swapped by htmx: no element still waits for its load.
      assert.equal(await page.locator('[hx-trigger=load]').count(), 0, 'htmx swapped the section');
    }
  }
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.problems, []);
});

test('a doctor on a phone: checks and an order page with its print button, no CSP violation', async () => {
  const page = await watchedPage(PHONE);
  await login(page, 'doctor');
  await visit(page, '/checks');
  const order = page.locator('main a[href^="/quarantine/"]').first();
  if ((await order.count()) > 0) {
    const href = await order.getAttribute('href');
    await visit(page, href);
  }
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.problems, []);
});
