// The quarantine roster on a phone: community staff filter the quarantine list to the orders
// ending today in one grid, open that grid's printable roster, and register an order for a
// household from the list — the refused form keeping what was typed, its error beside the field.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, PHONE } from './helpers.mjs';

const env = serverAndBrowser({ residents: 200, grids: 2 });

/** A date in the community's time zone (Asia/Shanghai), `days` from today, as YYYY-MM-DD. */
function shanghaiDate(days) {
  const at = new Date(Date.now() + days * 24 * 3600 * 1000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at);
}

/** Nothing runs off the side of a 390 px screen. */
async function assertNoSidewaysScroll(page) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `page is ${scroll} px wide on a ${inner} px screen`);
}

test('staff filter to ends today in a grid, print its roster and register an order from the list', async () => {
  const page = await newPage(env.browser, env.server, PHONE);
  await login(page, 'staff');
  await page.goto('/quarantine');
  await assertNoSidewaysScroll(page);

  // A household of two or more: its first member's order started 14 days ago and ends today.
  const residents = (await (await page.request.get('/api/v1/residents?limit=200')).json()).items;
  const byHousehold = new Map();
  for (const r of residents) byHousehold.set(r.household_id, [...(byHousehold.get(r.household_id) || []), r]);
  const members = [...byHousehold.values()].find((m) => m.length >= 2);
  assert.ok(members, 'a household of two or more');
  const [first, second] = members;
  const csrf = await page.inputValue('input[name=csrf] >> nth=0');
  const res = await page.request.post('/api/v1/quarantine-orders', {
    headers: { 'x-csrf-token': csrf },
    data: { resident_id: first.id, reason: 'returnee', kind: 'home', start_date: shanghaiDate(-14), days: 14 },
  });
  assert.equal(res.status(), 201, await res.text());

  // The list filtered to the grid and to "ends today": one person, counted.
  await page.goto('/quarantine');
  await page.selectOption('#q-grid', String(first.grid_id));
  await page.selectOption('#q-ends', 'today');
  await Promise.all([page.waitForURL(/ends=today/), page.click('[data-testid=filter-submit]')]);
  assert.match(await page.textContent('[data-testid=quarantine-count]'), /共 1 人/);
  const rows = page.locator('[data-testid=order-row]');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(first.name));
  assert.match(await rows.first().textContent(), /今天到期/);
  await assertNoSidewaysScroll(page);
  await screenshot(page, 'roster-list-phone');

  // The grid's printable roster: the name masked, a box per check, nothing wider than the phone.
  await Promise.all([page.waitForURL(/\/quarantine\/roster\?grid=/), page.click('[data-testid=print-roster]')]);
  const lines = page.locator('[data-testid=roster-line]');
  assert.equal(await lines.count(), 1);
  const line = await lines.first().textContent();
  assert.ok(line.includes(`${first.name[0]}*`) && !line.includes(first.name), `masked: ${line}`);
  assert.equal(await page.locator('[data-testid=roster-line] .box').count(), 2);
  await assertNoSidewaysScroll(page);
  // Printed, the links and the print button stay off the sheet.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('[data-testid=print]').isVisible(), false);
  assert.equal(await page.locator('[data-testid=roster]').isVisible(), true);
  await page.emulateMedia({ media: 'screen' });
  await screenshot(page, 'roster-print-phone');
  await page.goBack();

  // Register an order for the household from its row; the form opens with the household in.
  await Promise.all([
    page.waitForURL(new RegExp(`/quarantine/households/${first.household_id}`)),
    rows.first().locator('[data-testid=register-for-household]').click(),
  ]);
  const form = page.locator('[data-testid=quarantine-form]');
  await form.waitFor();
  await page.selectOption('#q-member', String(second.id));
  await page.selectOption('#q-kind', 'centralised');
  await page.fill('#q-days', '400');
  await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=place-submit]')]);

  // Refused: what was typed is still there, the message beside the days, in Chinese.
  const daysError = page.locator('[data-testid=field-error-days]');
  assert.match(await daysError.textContent(), /应为 1 至 365 天/);
  assert.equal(await page.getAttribute('#q-days', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#q-days', 'aria-describedby'), await daysError.getAttribute('id'));
  assert.equal(await page.inputValue('#q-days'), '400');
  assert.equal(await page.inputValue('#q-member'), String(second.id));
  assert.equal(await page.inputValue('#q-kind'), 'centralised');
  await assertNoSidewaysScroll(page);
  await screenshot(page, 'roster-refused-form-phone');

  await page.fill('#q-days', '14');
  await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=place-submit]')]);
  assert.equal(await page.locator('[data-testid=field-error-days]').count(), 0);
  const table = await page.textContent('[data-testid=household-quarantine]');
  assert.match(table, new RegExp(`${second.name}[\\s\\S]*集中隔离`));

  // The resident's page says where he stands.
  await page.goto(`/residents/${second.id}`);
  assert.match(await page.textContent('[data-testid=resident-standing]'), /隔离至/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
