// A grid worker on a phone views a resident's full ID number, giving a reason; the auditor on a
// desktop finds that view in the audit trail, with the worker's name and the reason, and the
// hash chain intact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, checkChar, PHONE, DESKTOP } from './helpers.mjs';

const env = serverAndBrowser();

test('an unmasked view by a grid worker is in the audit trail with the reason', async () => {
  const reason = `入户核验身份 ${Date.now()}`;
  let residentId;

  // The grid worker, on a phone.
  {
    const page = await newPage(env.browser, env.server, PHONE);
    await login(page, 'gridworker');
    await page.goto('/residents');
    const first = page.locator('[data-testid=resident-table] tbody tr a[href^="/residents/"]').first();
    const href = await first.getAttribute('href');
    residentId = href.split('/').pop();
    await screenshot(page, 'phone-residents', { fullPage: false });
    await Promise.all([page.waitForURL((u) => u.pathname === href), first.click()]);

    const masked = (await page.textContent('[data-testid=document-number]')).trim();
    assert.match(masked, /^\d{6}\*{8}\d{3}[\dX]$/, `masked number ${masked}`);

    // Nothing of the page is wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the resident page is ${overflow}px wider than the phone`);
    await screenshot(page, 'phone-resident');

    await page.fill('#reason', reason);
    await page.click('[data-testid=unmask]');
    const full = page.locator('[data-testid=full-document]');
    await full.waitFor();
    const number = (await full.textContent()).trim();
    assert.match(number, /^\d{17}[\dX]$/);
    assert.equal(number[17], checkChar(number.slice(0, 17)), 'a valid citizen ID');
    assert.equal(number.slice(0, 6), masked.slice(0, 6));
    assert.equal(number.slice(14), masked.slice(14));
    // htmx swapped the form out, on the same page.
    assert.equal(await page.locator('[data-testid=unmask]').count(), 0);
    assert.equal(new URL(page.url()).pathname, href);
    assert.match(await page.textContent('[data-testid=unmasked]'), /审计/);
    await screenshot(page, 'phone-unmasked');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }

  // The auditor, on a desktop.
  {
    const page = await newPage(env.browser, env.server, DESKTOP);
    await login(page, 'auditor');
    await page.goto('/audit');
    // The chain is verified on request, so the list never waits for it.
    assert.equal(await page.locator('[data-testid=chain-status]').count(), 0);
    await page.click('[data-testid=verify-chain]');
    assert.match(await page.textContent('[data-testid=chain-status]'), /哈希链完整/);

    await page.selectOption('#action', 'resident_unmask');
    await Promise.all([
      page.waitForURL(/\/audit\?.*action=resident_unmask/),
      page.click('form[action="/audit"] button[type=submit]'),
    ]);
    assert.equal(await page.inputValue('#action'), 'resident_unmask');
    const rows = await page.$$eval('[data-testid=audit-table] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.replace(/\s+/g, ' ').trim())),
    );
    assert.ok(rows.length >= 1, 'at least one unmasking recorded');
    // Only unmaskings are listed under that filter.
    for (const r of rows) assert.equal(r[3], '查看完整证件号', `filtered row ${JSON.stringify(r)}`);
    const mine = rows.filter((r) => r[5].includes(reason));
    assert.equal(mine.length, 1, `one entry with the reason among ${JSON.stringify(rows)}`);
    const [seq, at, account, , object, details] = mine[0];
    assert.match(seq, /^\d+$/);
    assert.match(at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.match(account, /^网格员 /, 'the grid worker is named by name, then their role');
    // The resident by masked name and household address, never by number.
    assert.match(object, /^居民 \S\*+ · \S+ \S+ \S+$/);
    assert.doesNotMatch(object, new RegExp(`#${residentId}`));
    assert.match(details, new RegExp(`原因: ${reason}`));
    // The entry shows the masked number only.
    assert.doesNotMatch(details, /\d{17}[\dX]/);

    // The chain is intact, counting the new entry.
    await page.click('[data-testid=verify-chain]');
    const status = page.locator('[data-testid=chain-status]');
    assert.match(await status.textContent(), /哈希链完整 \(\d+\)/);
    // htmx marks a swapped-in element for a moment; the status itself is a notice, not an alert.
    assert.match(await status.getAttribute('class'), /(^|\s)notice(\s|$)/);
    await screenshot(page, 'audit-filtered');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
