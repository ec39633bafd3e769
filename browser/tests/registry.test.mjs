// Community staff, on a desktop: from a building page, create a household, add a resident whose
// citizen ID has a wrong check digit (refused, with the reason under the field), then with a
// valid one, and find the resident again by name with the number masked.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser, newPage,
  login,
  screenshot,
  citizenId,
  uniqueName,
  DESKTOP,
} from './helpers.mjs';

const env = serverAndBrowser();

/** Follows the first link in `selector` and waits for the page it leads to. */
async function follow(page, selector) {
  const link = page.locator(selector).first();
  const href = await link.getAttribute('href');
  assert.ok(href, `a link at ${selector}`);
  await Promise.all([page.waitForURL((u) => u.pathname === href.split('?')[0]), link.click()]);
  return href;
}

test('staff create a household and a resident, with the check digit verified', async () => {
  const page = await newPage(env.browser, env.server, DESKTOP);
  await login(page, 'staff');

  // Home → the community → its first grid → that grid's first building.
  if (new URL(page.url()).pathname === '/') await follow(page, 'main a[href^="/communities/"]');
  assert.match(new URL(page.url()).pathname, /^\/communities\/\d+$/);
  await follow(page, 'main a[href^="/grids/"]');
  const buildingHref = await follow(page, 'main a[href^="/buildings/"]');
  const buildingName = (await page.textContent('main h1')).trim();
  assert.ok(buildingName.length > 0);

  // New household: unit 1单元, a room no demo household has.
  const room = `9${String(Math.floor(Math.random() * 900) + 100)}`;
  await page.fill('#unit', '1单元');
  await page.fill('#room', room);
  await page.fill('#hphone', '13912345678');
  await Promise.all([
    page.waitForURL(/\/households\/\d+$/),
    page.click(`form[action="${buildingHref}/households"] button[type=submit]`),
  ]);
  const householdPath = new URL(page.url()).pathname;
  const heading = (await page.textContent('main h1')).replace(/\s+/g, ' ').trim();
  assert.equal(heading, `${buildingName} 1单元 ${room}`);
  assert.equal(await page.locator('main table tbody tr').count(), 0, 'a new household has no members');

  // The building lists it now.
  await page.goto(buildingHref);
  assert.equal(await page.locator(`main table a[href="${householdPath}"]`).textContent(), room);
  await page.goto(householdPath);

  // Add a resident: first with the check digit wrong (the textbook number with X changed to 1).
  await Promise.all([page.waitForURL(/\/residents\/new$/), page.click('[data-testid=add-resident]')]);
  const name = uniqueName();
  await page.fill('#name', name);
  await page.fill('#document_number', '110105194912310021');
  await page.fill('#phone', '13800138000');
  await page.selectOption('#tenure', 'tenant');
  await page.selectOption('#travel_status', 'returned');
  // A returnee needs where from and when.
  await page.fill('#travel_origin', '湖北省武汉市');
  const returned = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  await page.fill('#returned_on', returned);
  await page.click('[data-testid=save-resident]');
  const fieldError = page.locator('[data-testid=field-error-document_number]');
  await page.locator('[data-testid=form-errors]').waitFor();
  assert.match(await fieldError.textContent(), /校验码不符/);
  // The form keeps what was typed.
  assert.equal(await page.inputValue('#name'), name);
  assert.equal(await page.inputValue('#document_number'), '110105194912310021');
  assert.equal(await page.inputValue('#tenure'), 'tenant');
  assert.equal(await page.inputValue('#travel_status'), 'returned');
  assert.equal(await page.inputValue('#returned_on'), returned);
  // Only the number is wrong.
  const shown = (await page.locator('main .error').allTextContents()).map((t) => t.trim()).filter(Boolean);
  assert.equal(shown.length, 1, `one field error: ${JSON.stringify(shown)}`);
  await screenshot(page, 'resident-form-error');

  // Then a valid number from S County.
  const id = citizenId('610825');
  await page.fill('#document_number', id);
  await Promise.all([page.waitForNavigation(), page.click('[data-testid=save-resident]')]);
  assert.match(
    page.url(),
    /\/residents\/\d+\?saved=1$/,
    `saving ${id} was refused: ${await page.locator('main .alert, main .error').allTextContents()}`,
  );
  const residentPath = new URL(page.url()).pathname;
  assert.equal((await page.textContent('main h1')).trim(), name);
  assert.equal((await page.locator('main .notice[role=status]').count()), 1);
  const masked = `${id.slice(0, 6)}********${id.slice(14)}`;
  assert.equal((await page.textContent('[data-testid=document-number]')).trim(), masked);
  assert.ok(!(await page.content()).includes(id), 'the full number is nowhere on the page');
  // Birth date and sex come from the number.
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  assert.match(await page.textContent('main'), new RegExp(birth));

  // Find the resident by name: one row, masked number, the new address.
  await page.goto(`/residents?q=${encodeURIComponent(name)}`);
  const rows = page.locator('[data-testid=resident-table] tbody tr');
  assert.equal(await rows.count(), 1);
  const row = rows.first();
  assert.equal((await row.locator('a[href^="/residents/"]').textContent()).trim(), name);
  assert.equal(await row.locator('a[href^="/residents/"]').getAttribute('href'), residentPath);
  assert.match((await row.textContent()).replace(/\s+/g, ' '), new RegExp(masked.replace(/\*/g, '\\*')));
  assert.match(await row.textContent(), new RegExp(`1单元 ${room}`));
  assert.ok(!(await page.content()).includes(id));
  assert.equal(await page.inputValue('#q'), name);
  await screenshot(page, 'resident-search');

  // Find them by ID number from the search box: the search is posted, so the number never
  // reaches the address bar or the history.
  await page.fill('#q', id);
  await Promise.all([page.waitForNavigation(), page.click('[data-private-search] button[type=submit]')]);
  assert.equal(new URL(page.url()).search, '', 'the number is not in the address');
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().locator('a[href^="/residents/"]').getAttribute('href'), residentPath);

  // The household now lists its member, the first one marked as head.
  await page.goto(householdPath);
  assert.equal(await page.locator('main table tbody tr').count(), 1);
  assert.match(await page.textContent('main table tbody'), new RegExp(name));

  assert.deepEqual(page.problems, []);
  await page.context().close();
});
