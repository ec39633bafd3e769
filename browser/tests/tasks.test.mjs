// Two households go into home quarantine with their doors sealed. Community staff, at a desk,
// create the day's deliveries and open the evening rubbish round; the volunteer, on a phone,
// records what one household needs, delivers it, records the household's confirmation, then
// walks the rubbish round door by door and marks it done. The server runs in a time zone where
// it is now evening, so the 17:00 rule lets the round open whatever the hour of the test run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, DEMO_PASSWORD, PHONE, DESKTOP } from './helpers.mjs';

/** An Etc/GMT zone in which the local hour is now 18. */
function eveningZone() {
  const offset = ((18 - new Date().getUTCHours() + 36) % 24) - 12;
  // Etc/GMT names count the other way: Etc/GMT-8 is UTC+8.
  return offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

const env = serverAndBrowser({ residents: 60, grids: 2, env: { GRIDWATCH_TIME_ZONE: eveningZone() } });

async function api(token, method, path, body) {
  const res = await fetch(`${env.server.baseURL}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test('a volunteer on a phone delivers supplies and walks the rubbish round', async () => {
  const tokenRes = await fetch(`${env.server.baseURL}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'staff', password: DEMO_PASSWORD, label: 'browser test' }),
  });
  assert.equal(tokenRes.status, 201);
  const { token } = await tokenRes.json();

  // Two households with members, sealed under home quarantine.
  const households = (await api(token, 'GET', '/households?limit=50')).body.items.filter((h) => h.members > 0).slice(0, 2);
  assert.equal(households.length, 2);
  for (const h of households) {
    const created = await api(token, 'POST', '/quarantine-orders', { household_id: h.id, reason: 'returnee', kind: 'home' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const id of created.body.ids) {
      const sealed = await api(token, 'PATCH', `/quarantine-orders/${id}`, {
        door_sealed: true,
        camera_installed: true,
        doctor_id: null,
        grid_worker_id: null,
      });
      assert.equal(sealed.status, 204);
    }
  }

  // Staff at a desk: the day's deliveries and the evening round.
  {
    const page = await newPage(env.browser, env.server, DESKTOP);
    await login(page, 'staff');
    await page.goto('/tasks');
    assert.equal(new URL(page.url()).pathname, '/tasks/board', 'staff land on the board');
    await Promise.all([page.waitForURL((u) => u.pathname === '/tasks/board'), page.click('form[action="/tasks/deliveries/generate"] button[type=submit]')]);
    const rows = page.locator('[data-testid=task-board] tbody tr');
    assert.equal(await rows.count(), 2, 'one delivery per household, not per person');
    await page.goto('/tasks/rubbish');
    await Promise.all([page.waitForURL((u) => u.pathname === '/tasks/rubbish'), page.click('form[action="/tasks/rubbish/open"] button[type=submit]')]);
    assert.equal(await page.locator('[data-testid=task-error]').count(), 0, 'the round opens in the evening');
    assert.ok((await page.locator('[data-testid=rounds] tbody tr').count()) >= 1);
    await screenshot(page, 'tasks-rounds-desktop');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }

  // The volunteer on a phone.
  const page = await newPage(env.browser, env.server, PHONE);
  await login(page, 'volunteer');
  await page.goto('/tasks');
  const cards = page.locator('[data-testid=task-card]');
  assert.equal(await cards.count(), 2);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the worklist is ${overflow}px wider than the phone`);
  await screenshot(page, 'tasks-worklist-phone');

  // An empty list of needs is refused with a translated message, and nothing changes.
  const first = cards.first();
  const address = (await first.locator('.addr').textContent()).trim();
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), first.locator('form[action$="/ask"] button').click()]);
  assert.match(await page.textContent('[data-testid=task-error]'), /所需物资/);

  const card = page.locator('[data-testid=task-card]', { hasText: address });
  await card.locator('textarea[name=needs]').fill('蔬菜、大米、降压药');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), card.locator('form[action$="/ask"] button').click()]);
  assert.match(await card.textContent(), /已询问/);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), card.locator('form[action$="/deliver"] button').click()]);
  assert.equal(await page.locator('[data-testid=task-card]').count(), 1, 'delivered: off the to-do list');
  const waiting = page.locator('[data-testid=waiting-card]', { hasText: address });
  assert.match(await waiting.textContent(), /蔬菜、大米、降压药/);
  await screenshot(page, 'tasks-awaiting-phone');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), waiting.locator('button[value=phone]').click()]);
  assert.equal(await page.locator('[data-testid=waiting-card]').count(), 0, 'confirmed');

  // The rubbish round: every sealed door in address order, each marked with one press.
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/tasks/rubbish/')), page.locator('[data-testid=my-round]').first().click()]);
  const stops = page.locator('[data-testid=stop]');
  const n = await stops.count();
  assert.ok(n >= 1);
  assert.equal(await page.locator('[data-testid=round-done]').count(), 0, 'not done while doors wait');
  for (let i = 0; i < n; i++) {
    const stop = stops.nth(i);
    await stop.locator('button', { hasText: '已收取' }).click();
    await stops.nth(i).locator('[data-testid=stop-state]', { hasText: '已收取' }).waitFor();
  }
  assert.equal(new URL(page.url()).pathname.startsWith('/tasks/rubbish/'), true, 'htmx kept the page');
  const done = page.locator('[data-testid=round-done]');
  await done.waitFor();
  await screenshot(page, 'tasks-round-phone');
  await Promise.all([page.waitForLoadState('load'), done.click()]);
  await page.locator('[data-testid=round-summary]', { hasText: '已完成' }).waitFor();
  const roundOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(roundOverflow <= 0, `the round page is ${roundOverflow}px wider than the phone`);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // What the volunteer did is on record, step by step.
  const board = await api(token, 'GET', '/delivery-tasks?state=confirmed');
  assert.equal(board.body.items.length, 1);
  const detail = await api(token, 'GET', `/delivery-tasks/${board.body.items[0].id}`);
  assert.equal(detail.body.task.confirmed_via, 'phone');
  assert.deepEqual(
    detail.body.history.map((e) => e.action).reverse(),
    ['delivery_create', 'delivery_ask', 'delivery_deliver', 'delivery_confirm'],
  );
  assert.ok(detail.body.history.every((e) => e.account_name === 'volunteer' || e.action === 'delivery_create'));
});
