// An account's mobile, as an administrator enters it on a laptop: a landline is refused beside
// the field with what was typed kept, a mobile is saved, the list shows it masked, and the
// auditor reads the change masked on the trail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, DESKTOP } from './helpers.mjs';

const env = serverAndBrowser({ residents: 20, grids: 1 });

test('an administrator gives the grid worker a mobile on the account form', async () => {
  const admin = await newPage(env.browser, env.server, DESKTOP);
  await login(admin, 'admin');
  await admin.goto('/accounts');
  await Promise.all([admin.waitForURL(/\/accounts\/\d+$/), admin.click('a[href^="/accounts/"]:text-is("gridworker")')]);
  const form = new URL(admin.url()).pathname;

  await admin.fill('#phone', '029-88661234');
  await Promise.all([admin.waitForLoadState('load'), admin.click('form.card button[type=submit]')]);
  const message = await admin.textContent('[data-testid=field-error-phone]');
  assert.match(message, /手机号码应为 11 位/);
  assert.equal(await admin.inputValue('#phone'), '029-88661234', 'what was typed is kept');
  assert.equal(await admin.getAttribute('#phone', 'aria-invalid'), 'true');
  await screenshot(admin, 'account-phone-refused');

  await admin.fill('#phone', '138 0013 8000');
  await Promise.all([admin.waitForURL((u) => u.pathname === '/accounts'), admin.click('form.card button[type=submit]')]);
  const row = admin.locator('tr', { has: admin.locator('a:text-is("gridworker")') });
  assert.equal((await row.locator('[data-testid=account-phone]').textContent()).trim(), '138****8000');
  assert.equal((await admin.textContent('main')).includes('13800138000'), false, 'listed masked');
  await admin.goto(form);
  assert.equal((await admin.textContent('[data-testid=phone-now]')).trim(), '138****8000');
  assert.equal(await admin.inputValue('#phone'), '', 'the form never holds the number in full');

  const auditor = await newPage(env.browser, env.server, DESKTOP);
  await login(auditor, 'auditor');
  await auditor.goto('/audit?action=account_update');
  const rows = await auditor.$$eval('[data-testid=audit-table] tbody tr', (trs) =>
    trs.map((tr) => tr.textContent.replace(/\s+/g, ' ').trim()),
  );
  const changed = rows.filter((r) => r.includes('138****8000'));
  assert.equal(changed.length, 1, `the change on the trail: ${JSON.stringify(rows)}`);
  assert.equal(changed[0].includes('13800138000'), false, 'the trail keeps it masked');
  for (const page of [admin, auditor]) assert.deepEqual(page.problems, []);
  for (const page of [admin, auditor]) await page.context().close();
});
