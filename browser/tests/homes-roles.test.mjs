// The homes of the roles homes.test.mjs does not walk through (administrator, street official,
// guard, auditor, CDC liaison): each lands where its day starts on a phone and takes its first
// step by tapping. Then every one of the nine roles opens its home on a laptop, inside the window,
// with a screenshot of each kept when GRIDWATCH_SCREENSHOTS names a folder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, overflow, tap, PHONE, DESKTOP } from './helpers.mjs';

// The demo's month: a confirmed case, orders, checks, alerts and passages.
const env = serverAndBrowser({ residents: 600, grids: 2, activity: true });

for (const role of ['admin', 'official']) {
  test(`the ${role} opens the community's today on a phone and taps the first task`, async () => {
    const page = await newPage(env.browser, env.server, PHONE);
    await login(page, role);
    assert.equal(new URL(page.url()).pathname, '/');
    const inQuarantine = page.locator('[data-testid=fig-in-quarantine] .big-count');
    assert.match(await inQuarantine.textContent(), /^\d+$/);
    assert.ok((await overflow(page)) <= 1, 'no sideways scrolling');
    await screenshot(page, `home-${role}-phone`);
    const target = await page.getAttribute('[data-testid=first-task]', 'href');
    await tap(page, '[data-testid=first-task]', (u) => u.pathname === new URL(target, env.server.baseURL).pathname);
    assert.equal(page.url().includes('/login'), false);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('the guard lands on the gate and turns to a visitor by tapping', async () => {
  const guard = await newPage(env.browser, env.server, PHONE);
  await login(guard, 'guard');
  assert.match(new URL(guard.url()).pathname, /^\/gates\/\d+\/scan$/, 'the gate of the shift');
  assert.ok((await guard.locator('[data-testid=gate-name]').textContent()).trim().length > 0, 'the gate is named');
  await screenshot(guard, 'home-guard-phone', { fullPage: false });
  await guard.click('[data-testid=tab-visitor]');
  await guard.locator('[data-testid=v-name]').waitFor({ state: 'visible' });
  assert.equal(await guard.getAttribute('[data-testid=tab-visitor]', 'aria-pressed'), 'true');
  assert.ok((await overflow(guard)) <= 1);
  // The gate's screen leads back to the menu.
  await tap(guard, '[data-testid=gate-menu]', (u) => u.pathname === '/gates');
  assert.ok((await guard.locator('header nav a').count()) > 1, 'the menu is there');
  assert.deepEqual(guard.problems, []);
  await guard.context().close();
});

test('the auditor lands on the trail and verifies the chain by tapping', async () => {
  const auditor = await newPage(env.browser, env.server, PHONE);
  await login(auditor, 'auditor');
  assert.equal(new URL(auditor.url()).pathname, '/audit');
  assert.ok((await auditor.locator('[data-testid=audit-table] tbody tr').count()) > 0, 'the month left a trail');
  await screenshot(auditor, 'home-auditor-phone', { fullPage: false });
  await auditor.click('[data-testid=verify-chain]');
  const status = auditor.locator('[data-testid=chain-status]');
  await status.waitFor();
  // htmx may still hold its own settling class on the answer: read the state's class alone.
  const intact = await status.evaluate((e) => e.classList.contains('notice'));
  assert.ok(intact, await status.textContent());
  assert.deepEqual(auditor.problems, []);
  await auditor.context().close();
});

test('the CDC liaison lands on the communities and taps through to the risk map', async () => {
  const cdc = await newPage(env.browser, env.server, PHONE);
  await login(cdc, 'cdc');
  assert.equal(new URL(cdc.url()).pathname, '/');
  assert.ok((await cdc.locator('[data-testid=risk-map-link]').count()) > 0, 'each community links to its map');
  assert.ok((await overflow(cdc)) <= 1);
  await screenshot(cdc, 'home-cdc-phone');
  await tap(cdc, '[data-testid=risk-map-link] >> nth=0', (u) => u.pathname === '/risk-map');
  assert.ok((await cdc.locator('svg').count()) > 0, 'the map is drawn');
  assert.deepEqual(cdc.problems, []);
  await cdc.context().close();
});

test('every role opens its home on a laptop inside the window', async () => {
  for (const role of ['admin', 'official', 'staff', 'gridworker', 'guard', 'doctor', 'volunteer', 'cdc', 'auditor']) {
    const page = await newPage(env.browser, env.server, DESKTOP);
    await login(page, role);
    assert.equal(page.url().includes('/login'), false, `${role} is signed in`);
    assert.ok((await page.locator('header nav a').count()) > 0, `${role} has a menu`);
    assert.ok((await overflow(page)) <= 1, `${role}'s home fits the laptop`);
    await screenshot(page, `home-${role}-laptop`);
    assert.deepEqual(page.problems, [], role);
    await page.context().close();
  }
});
