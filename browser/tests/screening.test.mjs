// A grid worker working through a screening list on a phone-sized viewport: staff start a
// campaign on a desktop, form a team with the grid worker and share households by grid; the
// grid worker records a call nobody answered, then an answer at the door that puts a returnee
// from Wuhan into the travel register; a bad answer is refused with its reason and writes
// nothing; after the campaign is closed, a form still open on the phone is refused too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, PHONE, DESKTOP } from './helpers.mjs';

const env = serverAndBrowser({ residents: 300, grids: 2 });

async function submit(page, selector, url) {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
}

test('a grid worker works through a screening list on a phone', async () => {
  // Staff, on a desktop, start the campaign.
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  await staff.goto('/screening');
  await staff.fill('#s-name', '武汉返乡排查');
  await staff.fill('#s-region1', '4201');
  await staff.fill('#s-since1', '2020-01-10');
  await submit(staff, 'form[data-testid=campaign-form] button[type=submit]', /\/screening\/\d+$/);
  const campaignPath = new URL(staff.url()).pathname;
  assert.match(await staff.textContent('[data-testid=campaign-state]'), /草稿/);
  await staff.fill('#t-name', '第一组');
  await staff.fill('#t-members', 'gridworker');
  await submit(staff, 'form[data-testid=team-form] button[type=submit]', (u) => u.pathname === campaignPath);
  assert.match(await staff.textContent('[data-testid=teams]'), /网格员/);
  await submit(staff, '[data-testid=assign-by-grid]', (u) => u.pathname === campaignPath);
  await submit(staff, '[data-testid=open-campaign]', (u) => u.pathname === campaignPath);
  assert.match(await staff.textContent('[data-testid=campaign-state]'), /进行中/);

  // The grid worker, on a phone, opens their list: open households, in building order.
  const phone = await newPage(env.browser, env.server, PHONE);
  await login(phone, 'gridworker');
  await phone.goto(`${campaignPath}/households`);
  const rows = phone.locator('[data-testid=household-row]');
  assert.ok((await rows.count()) > 1, 'the grid worker has households to screen');
  for (const state of await rows.evaluateAll((els) => els.map((e) => e.dataset.state))) {
    assert.equal(state, 'open');
  }
  // The page fits the phone: no sideways scrolling.
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scroll (${overflow}px)`);
  await screenshot(phone, 'screening-list-phone');

  // First household: the call is not answered. It stays open, with one attempt.
  const first = rows.first();
  const firstId = await first.getAttribute('id');
  await submit(phone, `#${firstId} [data-testid=call_no_answer]`, /\/households/);
  const firstAgain = phone.locator(`#${firstId}`);
  assert.equal(await firstAgain.getAttribute('data-state'), 'open');
  assert.match(await firstAgain.textContent(), /1/);

  // Someone answers at the door: the first member came back from Wuchang, Wuhan.
  await submit(phone, `#${firstId} [data-testid=answer]`, /\/households\/\d+$/);
  const householdPath = new URL(phone.url()).pathname;
  await phone.selectOption('#a-method', 'visit');
  const members = phone.locator('[data-testid=member] select');
  const count = await members.count();
  assert.ok(count >= 1, 'the household has members to answer for');

  // A bad answer first: returned, but without where from or when. Refused, nothing written.
  await members.first().selectOption('returned');
  for (let i = 1; i < count; i++) await members.nth(i).selectOption('stayed_in_city');
  const ids = await phone.locator('[data-testid=member] select').evaluateAll((els) => els.map((e) => e.id.slice(3)));
  await phone.fill(`#or-${ids[0]}`, '');
  await phone.fill(`#rd-${ids[0]}`, '');
  await submit(phone, '[data-testid=save-answers]', (u) => u.pathname.endsWith('/attempts'));
  assert.match(await phone.textContent('[data-testid=form-error]'), /必填/);
  assert.equal(await phone.locator('[data-testid=attempts] tbody tr').count(), 1, 'only the unanswered call');

  await phone.fill(`#or-${ids[0]}`, '420106');
  await phone.fill(`#rd-${ids[0]}`, '2020-01-20');
  await submit(phone, '[data-testid=save-answers]', /\/households(\?|#|$)/);
  // Done households go to the end of the list.
  const done = phone.locator(`#${firstId}`);
  if ((await done.count()) > 0) assert.equal(await done.getAttribute('data-state'), 'done');
  assert.notEqual(await rows.first().getAttribute('id'), firstId, 'open households first');
  await screenshot(phone, 'screening-after-answer');

  // The travel register now holds the returnee.
  await staff.goto(`/residents/${ids[0]}`);
  assert.match(await staff.textContent('main'), /湖北省 武汉市 武昌区/);

  // The lead's progress: one household done, one resident matching the question.
  await staff.goto(`${campaignPath}/progress`);
  assert.equal((await staff.textContent('[data-testid=matched]')).trim(), '1');

  // A form left open on the phone after the campaign is closed is refused, with the reason.
  const second = await rows.first().getAttribute('id');
  await phone.goto(`${campaignPath}/households/${second.slice(1)}`);
  await staff.goto(campaignPath);
  await submit(staff, '[data-testid=close-campaign]', (u) => u.pathname === campaignPath);
  await phone.click('form:has(input[value=notice_left]) button');
  await phone.waitForSelector('[data-testid=form-error]');
  assert.match(await phone.textContent('[data-testid=form-error]'), /已结束/);
  assert.equal(await phone.locator('[data-testid=attempts] tbody tr').count(), 0, 'nothing recorded');
  await phone.goto(householdPath);
  assert.equal(await phone.locator('[data-testid=answer-form]').count(), 0, 'no form on a closed campaign');

  assert.deepEqual(phone.problems, []);
  assert.deepEqual(staff.problems, []);
});
