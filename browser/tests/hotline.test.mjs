// The hotline and residents' complaints on the devices they are used on: staff put themselves
// on hotline duty, find the caller by name, log a returnee report whose follow-up goes to the
// grid worker, who finds it on a phone and marks it done; a resident files a complaint on the
// public page on a phone, with no account, keeps the link shown once, and reads the community's
// reply there and rates it; the lead sees it closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, PHONE, DESKTOP } from './helpers.mjs';

const env = serverAndBrowser();

async function submit(page, selector, url) {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
}

/** No part of the page is wider than the phone. */
async function assertFits(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the phone`);
}

/** A datetime-local value an hour ago, in the browser's clock (the server reads it as local). */
function anHourAgo() {
  const d = new Date(Date.now() - 3_600_000 + 8 * 3_600_000);
  return d.toISOString().slice(0, 16);
}

test('a hotline call about a returnee leaves a follow-up that the grid worker finishes on a phone', async () => {
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  await staff.goto('/hotline');
  assert.ok(await staff.isVisible('[data-testid=nav-hotline]'), 'the hotline in the navigation');
  assert.ok(await staff.isVisible('[data-testid=off-duty]'), 'not on duty yet');

  // The lead puts themself on duty from an hour ago (Asia/Shanghai is the demo's zone).
  await staff.fill('#s-starts', anHourAgo());
  await staff.selectOption('#s-hours', '12');
  await submit(staff, '[data-testid=add-hotline-shift]', (u) => u.pathname === '/hotline');
  assert.ok(await staff.isVisible('[data-testid=on-duty]'), `on duty: ${await staff.textContent('main')}`);

  // A resident's name from the register, to find the caller by.
  await staff.goto('/residents');
  const name = (await staff.locator('[data-testid=resident-table] tbody tr td a').first().textContent()).trim();
  await staff.goto('/hotline');
  await staff.fill('#h-q', name.slice(0, 2));
  const caller = staff.locator('[data-testid=caller]').first();
  await caller.waitFor();
  await caller.check();

  await staff.fill('#h-name', name);
  await staff.fill('#h-number', '13912345678');
  await staff.check('[data-testid=topic-returnee]');
  await staff.fill('#h-said', '家里有人昨天从武汉回来');
  await staff.fill('#h-outcome', '已告知居家等候');
  const owner = await staff
    .locator('[data-testid=owner] option')
    .evaluateAll((os) => os.find((o) => o.value && o.textContent.includes('网格员'))?.value);
  assert.ok(owner, 'the grid worker is offered as the owner');
  await staff.selectOption('[data-testid=owner]', owner);
  await submit(staff, '[data-testid=log-call]', (u) => u.pathname === '/hotline/calls');
  const call = await staff.textContent('main');
  assert.match(call, /139\*\*\*\*5678/, 'the number masked');
  assert.doesNotMatch(call, /13912345678/, 'never in full');
  assert.match(call, /返乡人员报告/);
  assert.equal(await staff.locator('[data-testid=follow-up-card]').count(), 1, 'one follow-up');
  await screenshot(staff, 'hotline-call');

  // The chart and the log show the call.
  await staff.goto('/hotline');
  assert.ok(await staff.isVisible('[data-testid=calls-chart] svg'));
  assert.equal(await staff.locator('[data-testid=bar-total]').first().textContent(), '1');
  assert.match(await staff.textContent('[data-testid=recent-calls]'), /139\*\*\*\*5678/);
  await screenshot(staff, 'hotline');

  // The grid worker on a phone: the follow-up from the navigation, marked done.
  const phone = await newPage(env.browser, env.server, PHONE);
  await login(phone, 'gridworker');
  await submit(phone, '[data-testid=nav-hotline]', (u) => u.pathname === '/hotline/follow-ups');
  const card = phone.locator('[data-testid=my-follow-up]');
  assert.equal(await card.count(), 1);
  assert.match(await card.textContent(), /武汉/);
  await assertFits(phone, 'the follow-ups');
  await screenshot(phone, 'hotline-follow-ups');
  await card.locator('input[name=note]').fill('已上门登记，开始居家观察');
  await submit(phone, '[data-testid=mark-done]', (u) => u.pathname === '/hotline/follow-ups');
  assert.ok(await phone.isVisible('[data-testid=no-follow-ups]'), 'nothing left to do');
  assert.deepEqual(staff.problems, []);
  assert.deepEqual(phone.problems, []);
});

test('a resident files a complaint on a phone, reads the reply on the link and rates it', async () => {
  // The community's public page, reached from the link and QR code the lead posts.
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  await staff.goto('/complaints');
  assert.ok(await staff.isVisible('[data-testid=complaint-entrances] svg'), 'a QR code to post');
  const entrance = await staff.getAttribute('[data-testid=complaint-entrances] a', 'href');
  assert.match(entrance, /\/complain\/\d+$/);

  const resident = await newPage(env.browser, env.server, PHONE);
  await resident.goto(entrance);
  assert.match(await resident.textContent('h1'), /投诉/);
  await assertFits(resident, 'the complaint form');
  await resident.check('[data-testid=category-supplies]');
  await resident.fill('#p-what', '送来的蔬菜坏了，老人没吃的');
  // The building is typed; the page suggests the names that start so.
  await resident.fill('#p-building', '1');
  await resident.waitForSelector('#p-building-names option[value="1号楼"]', { state: 'attached' });
  await resident.fill('#p-building', '1号楼');
  await resident.fill('#p-place', '2单元门口');
  await resident.fill('#p-contact', '13812345678');
  await resident.click('[data-testid=complaint-submit]');
  await resident.waitForSelector('[data-testid=complaint-filed]');
  await screenshot(resident, 'complaint-filed');
  const link = await resident.getAttribute('[data-testid=complaint-link]', 'href');
  assert.match(link, /\/complaint\/[A-Za-z0-9_-]{43}$/);
  await resident.goto(link);
  assert.match(await resident.textContent('[data-testid=complaint-state]'), /已收到/);
  assert.ok(await resident.isVisible('[data-testid=no-reply]'));

  // The lead assigns it and answers it.
  await staff.goto('/complaints');
  assert.equal(await staff.textContent('[data-testid=figure-open]'), '1');
  await submit(staff, '[data-testid=complaint-row] a', /\/complaints\/\d+$/);
  const complaintPath = new URL(staff.url()).pathname;
  assert.match(await staff.textContent('main'), /138\*\*\*\*5678/);
  assert.doesNotMatch(await staff.textContent('main'), /13812345678/);
  // The first owner offered is a member of staff: the lead takes it.
  await staff.selectOption('#c-owner', { index: 0 });
  await submit(staff, '[data-testid=assign]', (u) => u.pathname === complaintPath);
  await staff.fill('#c-body', '已联系超市，今天下午送新的蔬菜');
  await submit(staff, '[data-testid=send-reply]', (u) => u.pathname === complaintPath);
  assert.match(await staff.textContent('[data-testid=complaint-state]'), /已答复/);

  // The resident reads the reply on the link and is satisfied.
  await resident.goto(link);
  assert.match(await resident.textContent('[data-testid=reply]'), /今天下午送新的蔬菜/);
  await assertFits(resident, 'the complaint link');
  await screenshot(resident, 'complaint-reply');
  await resident.click('[data-testid=rate-satisfied]');
  await resident.waitForSelector('[data-testid=rated]');
  assert.match(await resident.textContent('[data-testid=complaint-state]'), /已办结/);

  // The lead sees it closed, with an average time to close.
  await staff.goto('/complaints');
  assert.equal(await staff.textContent('[data-testid=figure-closed]'), '1');
  assert.equal(await staff.textContent('[data-testid=figure-open]'), '0');
  assert.notEqual((await staff.textContent('[data-testid=figure-average]')).trim(), '—');
  assert.deepEqual(staff.problems, []);
  assert.deepEqual(resident.problems, []);
});
