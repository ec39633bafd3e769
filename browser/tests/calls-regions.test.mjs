// Calls and regions on the devices they are used on: staff pick the campaign's region by typing
// its name; a grid worker on a phone taps a member's call button on a screening card, which the
// server answers with the number as a tel: address, the list never showing it; the auditor finds
// the read in the trail with the campaign as its purpose; staff call a household about its
// delivery from the task board the same way; the grid worker records a resident's travel origin
// by typing 武汉 and picking 武汉市, shown by name afterwards; in English, typing wuhan offers
// Wuhan and a county picked is shown by its English name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  newPage,
  login,
  screenshot,
  maskedCallButton,
  dial,
  auditedCalls,
  PHONE,
  DESKTOP,
} from './helpers.mjs';

const env = serverAndBrowser();

async function submit(page, selector, url) {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
}

/** Types `text` into a region field and returns the suggestions its list was given. */
async function suggestions(page, field, text) {
  await page.fill(field, text);
  const first = page.locator(`${field}-regions option`).first();
  await first.waitFor({ state: 'attached' });
  return page.locator(`${field}-regions option`).evaluateAll((os) => os.map((o) => o.value));
}

/** No part of the page is wider than the phone. */
async function assertFits(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the phone`);
}

test('a grid worker calls from a screening card and the trail shows the read with its purpose', async () => {
  const campaign = `武汉返乡排查 ${Date.now()}`;

  // Staff, on a desktop, start a campaign about Wuhan by typing its name.
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  await staff.goto('/screening');
  await staff.fill('#s-name', campaign);
  const offered = await suggestions(staff, '#s-region1', '武汉');
  assert.equal(offered[0], '420100 武汉市 (湖北省)', `offered ${JSON.stringify(offered)}`);
  assert.ok(offered.length <= 20);
  await staff.fill('#s-region1', offered[0]);
  await staff.fill('#s-since1', '2020-01-10');
  await submit(staff, 'form[data-testid=campaign-form] button[type=submit]', /\/screening\/\d+$/);
  const campaignPath = new URL(staff.url()).pathname;
  const main = await staff.textContent('main');
  assert.match(main, /武汉市 \(湖北省\)/, 'the question names its region');
  assert.doesNotMatch(main, /420100/, 'no code on the page');
  await staff.fill('#t-name', '第一组');
  await staff.fill('#t-members', 'gridworker');
  await submit(staff, 'form[data-testid=team-form] button[type=submit]', (u) => u.pathname === campaignPath);
  await submit(staff, '[data-testid=assign-by-grid]', (u) => u.pathname === campaignPath);
  await submit(staff, '[data-testid=open-campaign]', (u) => u.pathname === campaignPath);

  // The grid worker, on a phone: a card with a member who has a phone.
  const phone = await newPage(env.browser, env.server, PHONE);
  await login(phone, 'gridworker');
  await phone.goto(`${campaignPath}/households`);
  const card = phone.locator('[data-testid=household-row]:has([data-testid=call])').first();
  const button = card.locator('[data-testid=call]').first();
  const shown = await maskedCallButton(button, 'card');
  await assertFits(phone, 'the screening list');
  await screenshot(phone, 'screening-card-call');

  // Tapping it asks the server, which answers with the full number as a tel: address.
  const tel = await dial(phone, button);
  assert.equal(shown.includes(tel.slice(4)), false, 'the list never held the number');

  // The household's page offers the same calls, and does not claim there is no phone.
  const householdLink = card.locator('a[href*="/households/"]').first();
  await phone.goto(await householdLink.getAttribute('href'));
  assert.ok((await phone.locator('[data-testid=call]').count()) >= 1);
  assert.equal(await phone.locator('[data-testid=no-phone]').count(), 0);
  await assertFits(phone, 'the household page');

  // The auditor finds the read, with the campaign as its purpose.
  const { auditor, rows } = await auditedCalls(env);
  const mine = rows.filter((r) => r.includes(campaign));
  assert.equal(mine.length, 1, `one call in ${JSON.stringify(rows)}`);
  assert.match(mine[0], /网格员/);
  assert.match(mine[0], /为任务拨打电话/);
  assert.match(mine[0], /用途 = 排查行动/);
  assert.equal(mine[0].includes(tel.slice(4)), false, 'the trail keeps the number masked');

  for (const page of [staff, phone, auditor]) assert.deepEqual(page.problems, []);
  for (const page of [staff, phone, auditor]) await page.context().close();
});

test('typing 武汉 in the travel origin picks 420100 and the resident is shown as from 武汉市', async () => {
  const phone = await newPage(env.browser, env.server, PHONE);
  await login(phone, 'gridworker');
  await phone.goto('/residents');
  const href = await phone
    .locator('[data-testid=resident-table] tbody tr a[href^="/residents/"]')
    .first()
    .getAttribute('href');
  await phone.goto(`${href}/edit`);
  await phone.selectOption('#travel_status', 'returned');
  const offered = await suggestions(phone, '#travel_origin', '武汉');
  assert.equal(offered[0], '420100 武汉市 (湖北省)');
  await phone.fill('#travel_origin', offered[0]);
  await phone.fill('#returned_on', '2020-01-20');
  await assertFits(phone, 'the resident form');
  await screenshot(phone, 'travel-origin-picked');
  await submit(phone, 'form.card button[type=submit]', (u) => u.pathname === href);
  const main = await phone.textContent('main');
  assert.match(main, /湖北省 武汉市/);
  assert.doesNotMatch(main, /420100/, 'named, not coded');

  // The form shows the region picked, by name, when opened again.
  await phone.goto(`${href}/edit`);
  assert.equal(await phone.inputValue('#travel_origin'), '420100 武汉市 (湖北省)');
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
});

test('in English, typing wuhan offers Wuhan and a county is shown by its English name', async () => {
  const page = await newPage(env.browser, env.server, PHONE);
  await login(page, 'gridworker');
  await page.goto('/residents');
  await Promise.all([
    page.waitForFunction(() => document.documentElement.lang === 'en'),
    page.locator('[data-testid=lang-switch]').click(),
  ]);
  const href = await page
    .locator('[data-testid=resident-table] tbody tr a[href^="/residents/"]')
    .nth(1)
    .getAttribute('href');
  await page.goto(`${href}/edit`);
  await page.selectOption('#travel_status', 'returned');
  const offered = await suggestions(page, '#travel_origin', 'wuhan');
  assert.equal(offered[0], '420100 Wuhan (Hubei)', `offered ${JSON.stringify(offered)}`);
  const wuchang = '420106 Wuchang District (Hubei, Wuhan)';
  await page.fill('#travel_origin', 'Wuchang District');
  await page.locator(`#travel_origin-regions option[value="${wuchang}"]`).waitFor({ state: 'attached' });
  await page.fill('#travel_origin', wuchang);
  await page.fill('#returned_on', '2020-01-20');
  await submit(page, 'form.card button[type=submit]', (u) => u.pathname === href);
  // Before, an English page named the county in Chinese (湖北省 武汉市 武昌区).
  const main = await page.textContent('main');
  assert.match(main, /Wuchang District, Wuhan, Hubei/);
  assert.doesNotMatch(main, /武昌区|武汉市|420106/, 'named in English, not in Chinese or by code');
  await assertFits(page, 'the resident page in English');
  await screenshot(page, 'travel-origin-english');

  // The account goes back to Chinese for the tests after this one.
  await Promise.all([
    page.waitForFunction(() => document.documentElement.lang === 'zh-CN'),
    page.locator('[data-testid=lang-switch]').click(),
  ]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('staff call a household about its delivery from the board on a phone, and the trail shows the delivery', async () => {
  const staff = await newPage(env.browser, env.server, PHONE);
  await login(staff, 'staff');
  await staff.goto('/tasks/board');
  // A household under home quarantine gets deliveries: place one whose member has a mobile.
  const csrf = await staff.inputValue('input[name=csrf] >> nth=0');
  const residents = (await (await staff.request.get('/api/v1/residents?limit=100')).json()).items;
  const resident = residents.find((r) => /^1\d\d\*{4}\d{4}$/.test(r.phone ?? ''));
  assert.ok(resident, 'a resident with a mobile');
  const placed = await staff.request.post('/api/v1/quarantine-orders', {
    headers: { 'x-csrf-token': csrf },
    data: { resident_id: resident.id, reason: 'returnee', kind: 'home' },
  });
  assert.equal(placed.status(), 201, await placed.text());
  await submit(staff, 'form[action="/tasks/deliveries/generate"] button[type=submit]', /\/tasks\/board/);

  // The household's row on the board: a call button per number, masked.
  const door = `${resident.building_name} ${resident.unit_name} ${resident.room}`;
  const row = staff.locator('[data-testid=task-board] tr[data-delivery]', { hasText: door }).first();
  await row.waitFor();
  const button = row.locator('[data-testid=call]', { hasText: resident.name }).first();
  const shown = await maskedCallButton(button, 'board');
  await assertFits(staff, 'the task board');
  await screenshot(staff, 'task-board-call');

  const tel = await dial(staff, button);
  assert.equal((await staff.textContent('main')).includes(tel.slice(4)), false, 'the board never held the number');

  // The auditor finds the call with the delivery as its purpose, named by its door.
  const { auditor, rows } = await auditedCalls(env);
  const mine = rows.filter((r) => r.includes('用途 = 物资配送'));
  assert.equal(mine.length, 1, `one delivery call in ${JSON.stringify(rows)}`);
  assert.match(mine[0], /社区工作人员/);
  assert.ok(mine[0].includes(resident.room), `the delivery named by its door: ${mine[0]}`);
  assert.equal(mine[0].includes(tel.slice(4)), false, 'the trail keeps the number masked');

  for (const page of [staff, auditor]) assert.deepEqual(page.problems, []);
  for (const page of [staff, auditor]) await page.context().close();
});
