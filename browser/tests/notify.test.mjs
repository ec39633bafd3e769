// Feedback and notifications on a phone: a doctor records a fever and reads on the page that an
// alert was raised and who was told; the grid worker signs in, sees the bell's count, opens the
// notification and lands on the alert, which is then read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, PHONE } from './helpers.mjs';

const env = serverAndBrowser({ residents: 120, grids: 2 });

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the phone`);
}

test('a fever raises an alert the grid worker is told of and opens from the bell', async () => {
  const { server, browser } = env;

  // A resident of the grid worker's grid, as the grid worker's own list has them.
  const worker = await newPage(browser, server, PHONE);
  await login(worker, 'gridworker');
  const residents = (await (await worker.request.get('/api/v1/residents?limit=5')).json()).items;
  assert.ok(residents.length > 0, 'the grid worker has residents');
  const resident = residents[0];
  // Nothing to tell yet: the bell has no count.
  await worker.goto('/');
  await worker.locator('[data-testid=bell]').waitFor();
  await worker.waitForTimeout(500);
  assert.equal(await worker.locator('[data-testid=bell-count]').count(), 0);

  // The doctor places the resident under home quarantine and records a fever.
  const doctor = await newPage(browser, server, PHONE);
  await login(doctor, 'doctor');
  await doctor.goto('/checks');
  const csrf = await doctor.inputValue('input[name=csrf] >> nth=0');
  const me = await (await doctor.request.get('/api/v1/me')).json();
  const res = await doctor.request.post('/api/v1/quarantine-orders', {
    headers: { 'x-csrf-token': csrf },
    data: { resident_id: resident.id, reason: 'returnee', kind: 'home', doctor_id: me.account_id },
  });
  assert.equal(res.status(), 201, await res.text());
  const orderId = (await res.json()).ids[0];

  await doctor.goto(`/quarantine/${orderId}/checks`);
  await doctor.fill('#c-temp', '38.6');
  await doctor.check('input[name=symptom][value=cough]');
  await Promise.all([
    doctor.waitForURL((u) => u.pathname === `/quarantine/${orderId}/checks` && u.searchParams.has('raised')),
    doctor.click('[data-testid=save-check]'),
  ]);
  const raised = doctor.locator('[data-testid=alert-raised]');
  await raised.waitFor();
  const text = await raised.innerText();
  assert.match(text, /已触发发热报警/, text);
  // The grid worker is named with their role; the doctor who recorded it is not told.
  const told = await doctor.locator('[data-testid=told] li').allInnerTexts();
  assert.deepEqual(told, ['网格员（网格员）']);
  await noSidewaysScroll(doctor, 'the checks page');
  await screenshot(doctor, 'notify-doctor-alert-raised');
  assert.deepEqual(doctor.problems, []);

  // The grid worker's bell counts it: the header loads the count and polls it.
  await worker.goto('/');
  const count = worker.locator('[data-testid=bell-count]');
  await count.waitFor();
  assert.equal((await count.innerText()).trim(), '1');
  const box = await worker.locator('[data-testid=bell]').boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `the bell is ${box.width}×${box.height}`);
  await screenshot(worker, 'notify-bell', { fullPage: false });

  await Promise.all([worker.waitForURL('**/notifications'), worker.click('[data-testid=bell]')]);
  const item = worker.locator('[data-testid=notifications] li.unread').first();
  assert.match(await item.innerText(), /发热报警/);
  assert.doesNotMatch(await item.innerText(), /fever_alert|#\d/);
  await noSidewaysScroll(worker, 'the notifications page');
  await screenshot(worker, 'notify-list');

  await Promise.all([
    worker.waitForURL((u) => u.pathname === `/quarantine/${orderId}/checks`),
    item.locator('a').click(),
  ]);
  const hash = new URL(worker.url()).hash;
  assert.match(hash, /^#alert-\d+$/);
  const alert = worker.locator(hash);
  await alert.waitFor();
  assert.equal(await alert.getAttribute('data-kind'), 'fever');
  await noSidewaysScroll(worker, 'the alert');
  await screenshot(worker, 'notify-landed-on-alert');

  // Opened is read: the bell has no count and the list shows it read.
  await worker.goto('/notifications');
  await worker.waitForTimeout(500);
  assert.equal(await worker.locator('[data-testid=bell-count]').count(), 0);
  assert.equal(await worker.locator('[data-testid=notifications] li.unread').count(), 0);
  assert.equal(await worker.locator('[data-testid=notifications] li').count(), 1);
  assert.deepEqual(worker.problems, []);
});
