// Return to work: a resident applies on a phone with the code the server's log sender logged,
// and follows the status through the personal link; a member of staff finds the arrival,
// verifies and admits it, and finds the quarantine order on the household page.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DESKTOP, PHONE, citizenId, login, newPage, serverAndBrowser } from './helpers.mjs';

// The log sender writes codes at `info`; the rest of the server stays at `warn`.
const env = serverAndBrowser({ env: { GRIDWATCH_LOG: 'warn,app::outbound=info' } });

/** The last one-time code the log sender wrote. */
function lastCode(server) {
  const codes = [...server.log().matchAll(/params=\["(\d{6})"\]/g)];
  assert.ok(codes.length > 0, `no code in the server's log:\n${server.log().slice(-2000)}`);
  return codes[codes.length - 1][1];
}

test('a resident applies on a phone and follows the status; staff admit them into quarantine', async () => {
  const { server, browser } = env;
  const staff = await newPage(browser, server, DESKTOP);
  await login(staff, 'staff');
  const list = await staff.request.get('/api/v1/households?limit=1');
  assert.equal(list.status(), 200);
  const home = (await list.json()).items[0];

  // The resident, on a phone, with no account.
  const phone = await newPage(browser, server, PHONE);
  await phone.goto(`/return/${home.community_id}`);
  assert.match(await phone.textContent('h1'), /返岗申请/);
  const id = citizenId();
  await phone.fill('#ra-name', '返岗测试');
  await phone.fill('#ra-id', id);
  await phone.fill('#ra-phone', '13912340000');
  await Promise.all([phone.waitForLoadState('load'), phone.click('[data-testid=returns-send-code]')]);
  await phone.waitForSelector('[data-testid=returns-notice]');
  // The page gives back what was typed.
  assert.equal(await phone.inputValue('#ra-id'), id);
  await phone.fill('[data-testid=returns-code]', lastCode(server));
  await phone.fill('#ra-employer', '西安某科技有限公司');
  await phone.fill('#ra-employer-address', '西安市高新区科技路1号');
  await phone.fill('#ra-origin', '610113');
  await phone.selectOption('#ra-means', 'train');
  await phone.fill('#ra-trip', 'G1234');
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  await phone.fill('#ra-arrival', `${tomorrow}T14:30`);
  // The building is typed, as on any phone: the page suggests the names that start so.
  await phone.fill('#ra-building', home.building_name.replace(/号楼$/, ''));
  await phone.waitForSelector(`#ra-building-names option[value="${home.building_name}"]`, { state: 'attached' });
  await phone.fill('#ra-building', home.building_name);
  await phone.fill('#ra-unit', home.unit_name);
  await phone.fill('#ra-room', home.room);
  await Promise.all([
    phone.waitForURL((u) => u.pathname.startsWith('/return/s/')),
    phone.click('[data-testid=returns-submit]'),
  ]);
  assert.equal(await phone.getAttribute('[data-testid=returns-state]', 'data-state'), 'submitted');
  assert.ok(await phone.isVisible('[data-testid=returns-qr] svg'), 'the QR to show at the gate');
  const statusUrl = phone.url();
  // Nothing on the phone is wider than the phone.
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);

  // Staff find the applicant by ID number, verify and admit.
  await staff.goto(`/returns?q=${id}`);
  await Promise.all([
    staff.waitForURL(/\/returns\/\d+$/),
    staff.click('[data-testid=returns-found] a >> nth=0'),
  ]);
  await staff.check('[data-testid=returns-certificate]');
  await staff.fill('[data-testid=returns-test-date]', new Date().toISOString().slice(0, 10));
  await staff.check('[data-testid=returns-test-negative]');
  await staff.fill('[data-testid=returns-temperature]', '36.5');
  await staff.check('[data-testid=returns-approve]');
  await Promise.all([staff.waitForLoadState('load'), staff.click('[data-testid=returns-verify]')]);
  await staff.waitForSelector('[data-testid=returns-state][data-state=in_quarantine]');
  assert.ok(await staff.isVisible('[data-testid=returns-order]'));

  // The household page shows the new member's quarantine order.
  await Promise.all([staff.waitForURL(/\/households\/\d+$/), staff.click('[data-testid=returns-household]')]);
  assert.ok((await staff.locator('main a[href^="/quarantine/"]').count()) > 0, 'the order on the household page');

  // The resident's link says so.
  await phone.goto(statusUrl);
  assert.equal(await phone.getAttribute('[data-testid=returns-state]', 'data-state'), 'in_quarantine');
  assert.equal(await phone.locator('[data-testid=returns-withdraw]').count(), 0);
  assert.deepEqual(phone.problems, []);
  assert.deepEqual(staff.problems, []);
});
