// Twice-daily checks: a doctor on a phone records two checks and, after the next slot closes
// unchecked, sees the missed-check alerts on the worklist; a resident self-reports a fever
// through their personal link and the fever alert appears on the doctor's worklist; from an
// alert's row the doctor calls the resident's household, and the trail records the order; a paper
// self-report sheet is printed from an order's page for a resident without a smartphone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  newPage,
  login,
  screenshot,
  runCli,
  maskedCallButton,
  dial,
  auditedCalls,
  PHONE,
} from './helpers.mjs';

const env = serverAndBrowser({ residents: 120, grids: 2 });

/** Places the demo residents at `indexes` under home quarantine with the signed-in doctor
 * responsible, through the API with the page's session; returns [{ orderId, name }]. */
async function quarantine(page, indexes, pick = (residents, i) => residents[i]) {
  const csrf = await page.inputValue('input[name=csrf] >> nth=0');
  const me = await (await page.request.get('/api/v1/me')).json();
  const residents = (await (await page.request.get('/api/v1/residents?limit=50')).json()).items;
  const placed = [];
  for (const i of indexes) {
    const r = pick(residents, i);
    const res = await page.request.post('/api/v1/quarantine-orders', {
      headers: { 'x-csrf-token': csrf },
      data: { resident_id: r.id, reason: 'returnee', kind: 'home', doctor_id: me.account_id },
    });
    assert.equal(res.status(), 201, await res.text());
    placed.push({ orderId: (await res.json()).ids[0], name: r.name });
  }
  return placed;
}

/** Tomorrow in the community's time zone (Asia/Shanghai), as YYYY-MM-DD. */
function tomorrowInShanghai() {
  const now = new Date(Date.now() + 24 * 3600 * 1000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
}

test('a doctor recording two checks and seeing a missed-check alert', async () => {
  const page = await newPage(env.browser, env.server, PHONE);
  await login(page, 'doctor');
  await page.goto('/checks');
  const orders = await quarantine(page, [0, 1]);

  for (const [i, o] of orders.entries()) {
    await page.goto(`/quarantine/${o.orderId}/checks`);
    // A misread first: refused with a clear message, nothing recorded.
    if (i === 0) {
      await page.fill('#c-temp', '43.5');
      await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=save-check]')]);
      const err = (await page.textContent('[data-testid=temperature-error]')).trim();
      assert.match(err, /35\.0/);
      assert.equal(await page.locator('[data-testid=checks-table] tbody tr').count(), 0);
    }
    await page.fill('#c-temp', i === 0 ? '36.6' : '36.9');
    await page.check('input[name=symptom][value=cough]').catch(() => {});
    if (i === 0) await page.uncheck('input[name=symptom][value=cough]');
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/quarantine/${o.orderId}/checks`),
      page.click('[data-testid=save-check]'),
    ]);
    await page.locator('[data-testid=slot-filled]').waitFor();
    assert.equal(await page.locator('[data-testid=checks-table] tbody tr').count(), 1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the checks page is ${overflow}px wider than the phone`);
  }
  await screenshot(page, 'checks-phone-recorded');

  // Today's slots show both residents checked.
  await page.goto('/checks');
  for (const o of orders) {
    const row = page.locator(`[data-testid=day-slots] tr[data-order="${o.orderId}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /3[67]\.\d °C/);
  }
  assert.equal(await page.locator('[data-testid=alerts] tr[data-kind=missed_check]').count(), 0);

  // Tomorrow morning's window closes with no check: the job raises one alert per resident.
  const out = await runCli(env.server, ['jobs', 'run-due', '--allow-future', '--at', `${tomorrowInShanghai()}T10:01`]);
  assert.match(out, /missed_checks \S+\/morning: raised 2/);
  await page.goto('/checks');
  const missed = page.locator('[data-testid=alerts] tr[data-kind=missed_check]');
  await missed.first().waitFor();
  // Found by order: a row's call buttons name the household's other members, so a name is not
  // enough to tell one resident's row from another's. Tonight's slot may have been missed too,
  // by the time of day the test runs.
  for (const o of orders) {
    const mine = page.locator(`[data-testid=alerts] tr[data-kind=missed_check][data-order="${o.orderId}"]`);
    assert.ok((await mine.count()) >= 1, `${o.name} has a missed-check alert`);
    assert.ok((await mine.first().textContent()).includes(o.name));
  }
  assert.ok((await page.textContent('[data-testid=open-missed]')).trim() >= '2');
  await screenshot(page, 'checks-phone-missed');

  // The doctor acknowledges one and resolves it with a note.
  const first = missed.first();
  const alertId = await first.getAttribute('data-alert');
  await Promise.all([page.waitForURL((u) => u.pathname === '/checks'), first.locator('[data-testid=acknowledge]').click()]);
  const row = page.locator(`[data-testid=alerts] tr[data-alert="${alertId}"]`);
  assert.equal(await row.getAttribute('data-state'), 'acknowledged');
  await row.locator('input[name=note]').fill('已电话联系，居民已补测 36.5');
  await Promise.all([page.waitForURL((u) => u.pathname === '/checks'), row.locator('[data-testid=resolve]').click()]);
  assert.equal(await page.locator(`[data-testid=alerts] tr[data-alert="${alertId}"]`).count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a resident self-reporting a fever through their link and the alert appearing on the doctor\'s worklist', async () => {
  // The doctor makes the link on the order page and hands it over.
  const doctor = await newPage(env.browser, env.server, PHONE);
  await login(doctor, 'doctor');
  await doctor.goto('/checks');
  const [o] = await quarantine(doctor, [2]);
  await doctor.goto(`/quarantine/${o.orderId}`);
  // The order page loads its checks section, which leads to the checks page.
  await doctor.locator('[data-testid=checks-section]').waitFor();
  const checksPage = await doctor.getAttribute('[data-testid=checks-section] [data-testid=checks-link]', 'href');
  assert.equal(checksPage, `/quarantine/${o.orderId}/checks`);
  await doctor.goto(checksPage);
  await Promise.all([doctor.waitForLoadState('load'), doctor.click('[data-testid=create-link]')]);
  const url = (await doctor.textContent('[data-testid=link-url]')).trim();
  assert.match(url, /\/r\/[A-Za-z0-9_-]{43}$/);
  assert.equal(await doctor.locator('[data-testid=link-qr] svg').count(), 1, 'a QR code to print');
  await screenshot(doctor, 'checks-link');

  // The resident, on their own phone, no account.
  const resident = await newPage(env.browser, env.server, PHONE);
  await resident.goto(url);
  const who = (await resident.textContent('[data-testid=report-who]')).trim();
  assert.ok(who.startsWith(o.name[0]) && who.includes('*'), `masked name: ${who}`);
  assert.ok(!who.includes(o.name), 'the full name is not shown');
  // In English too.
  await Promise.all([resident.waitForLoadState('load'), resident.click('[data-testid=lang-switch]')]);
  assert.match(await resident.textContent('label[for=r-temp]'), /temperature/i);
  // Out of range: a clear message, nothing recorded.
  await resident.fill('#r-temp', '45');
  await Promise.all([resident.waitForLoadState('load'), resident.click('[data-testid=report-submit]')]);
  assert.match(await resident.textContent('[data-testid=report-error]'), /35\.0/);
  await resident.fill('#r-temp', '38.5');
  await resident.check('input[name=symptom][value=cough]');
  await Promise.all([resident.waitForLoadState('load'), resident.click('[data-testid=report-submit]')]);
  assert.match(await resident.textContent('[data-testid=report-done]'), /38\.5/);
  await resident.locator('[data-testid=report-fever]').waitFor();
  const overflow = await resident.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the report page is ${overflow}px wider than the phone`);
  await screenshot(resident, 'checks-self-report');

  // The doctor's worklist shows the fever alert with the reading.
  await doctor.goto('/checks');
  const fever = doctor.locator(`[data-testid=alerts] tr[data-kind=fever][data-order="${o.orderId}"]`);
  await fever.waitFor();
  assert.match(await fever.textContent(), /38\.5/);
  await screenshot(doctor, 'checks-worklist-fever');

  // Revoked, the link gives one clear page and takes nothing.
  await doctor.goto(`/quarantine/${o.orderId}/checks`);
  await Promise.all([doctor.waitForLoadState('load'), doctor.click('[data-testid=revoke-link]')]);
  const res = await resident.goto(url);
  assert.equal(res.status(), 410);
  await resident.locator('[data-testid=report-refused]').waitFor();
  assert.equal(await resident.locator('[data-testid=report-form]').count(), 0);
  const unknown = await resident.goto('/r/' + 'A'.repeat(43));
  assert.equal(unknown.status(), 404);
  assert.deepEqual(doctor.problems, []);
  await doctor.context().close();
  await resident.context().close();
});

test('a doctor calling a resident\'s household from a fever alert\'s row, the trail naming the order', async () => {
  const doctor = await newPage(env.browser, env.server, PHONE);
  await login(doctor, 'doctor');
  await doctor.goto('/checks');
  // A resident with a mobile, not one the tests above placed.
  const [o] = await quarantine(doctor, [0], (residents) =>
    residents.slice(3).find((r) => /^1\d\d\*{4}\d{4}$/.test(r.phone ?? '')),
  );
  await doctor.goto(`/quarantine/${o.orderId}/checks`);
  await doctor.fill('#c-temp', '38.6');
  await Promise.all([
    doctor.waitForURL((u) => u.pathname === `/quarantine/${o.orderId}/checks`),
    doctor.click('[data-testid=save-check]'),
  ]);

  // The alert's row, near the top of the worklist, calls the household; the list stays masked.
  await doctor.goto('/checks');
  const row = doctor.locator(`[data-testid=alerts] tr[data-kind=fever][data-order="${o.orderId}"]`);
  await row.waitFor();
  const button = row.locator('[data-testid=call]', { hasText: o.name }).first();
  const shown = await maskedCallButton(button, 'row');
  const overflow = await doctor.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the worklist is ${overflow}px wider than the phone`);
  await screenshot(doctor, 'checks-alert-call');
  const tel = await dial(doctor, button);
  assert.equal((await doctor.textContent('main')).includes(tel.slice(4)), false, 'the list never held the number');

  // The auditor finds the call with the quarantine order as its purpose.
  const { auditor, rows } = await auditedCalls(env);
  const calls = rows.filter((r) => r.includes('用途 = 隔离'));
  assert.equal(calls.length, 1, `one call for an order in ${JSON.stringify(rows)}`);
  assert.match(calls[0], /医生/);
  assert.equal(calls[0].includes(tel.slice(4)), false, 'the trail keeps the number masked');
  for (const page of [doctor, auditor]) assert.deepEqual(page.problems, []);
  for (const page of [doctor, auditor]) await page.context().close();
});

test('a paper self-report sheet printed from the order page holds what the resident needs', async () => {
  const doctor = await newPage(env.browser, env.server, PHONE);
  await login(doctor, 'doctor');
  await doctor.goto('/checks');
  const [o] = await quarantine(doctor, [4]);
  await doctor.goto(`/quarantine/${o.orderId}`);
  // In the resident's language, whatever the doctor reads.
  await doctor.selectOption('[data-testid=sheet-form] select[name=lang]', 'en');
  await Promise.all([
    doctor.waitForURL((u) => u.pathname === `/quarantine/${o.orderId}/self-report-sheet`),
    doctor.click('[data-testid=print-sheet]'),
  ]);
  assert.equal((await doctor.textContent('[data-testid=sheet-name]')).trim(), o.name);
  assert.match(await doctor.textContent('[data-testid=sheet-dates]'), /^\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d$/);
  assert.match(await doctor.textContent('[data-testid=sheet-times]'), /morning 07:00–10:00.*evening 17:00–20:00/);
  assert.match(await doctor.textContent('[data-testid=sheet-calls]'), /Doctor/);
  // A line per report up to the last day, a box per symptom.
  const lines = await doctor.locator('[data-testid=sheet-line]').count();
  assert.ok(lines >= 2 && lines % 2 === 0, `${lines} lines`);
  assert.equal(await doctor.locator('[data-testid=sheet-line] >> nth=0 >> .box').count(), 7);
  assert.equal(await doctor.locator('[data-testid=sheet-qr] svg').count(), 1);
  const body = await doctor.textContent('body');
  assert.doesNotMatch(body, /\d{17}[\dX]/, 'no ID number');
  assert.doesNotMatch(body, /#\d/, 'no record number');
  await screenshot(doctor, 'checks-paper-sheet');
  // On paper it is A4 and a fortnight of lines takes at most two pages.
  await doctor.emulateMedia({ media: 'print' });
  const pdf = (await doctor.pdf({ preferCSSPageSize: true })).toString('latin1');
  const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 1 && pages <= 2, `${pages} pages`);
  assert.match(pdf, /\/MediaBox\s*\[\s*0\s+0\s+59\d(\.\d+)?\s+84\d(\.\d+)?\s*\]/, 'an A4 page');
  assert.equal((await doctor.locator('.no-print >> visible=true').count()), 0, 'nothing but the sheet on paper');
  await doctor.emulateMedia({ media: 'screen' });
  // The sheet's code opens the resident's page.
  const url = (await doctor.textContent('[data-testid=sheet-url]')).trim();
  const resident = await newPage(env.browser, env.server, PHONE);
  await resident.goto(url);
  await resident.locator('[data-testid=report-form]').waitFor();
  assert.deepEqual(doctor.problems, []);
  await resident.context().close();
  await doctor.context().close();
});
