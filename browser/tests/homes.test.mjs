// Each role's home on a 390 × 844 phone: the lead's today with its figures and charts, the
// doctor's worklist with open alerts first, the grid worker's grid and open screening
// households, the volunteer's tasks; from each home the day's first task is reached by tapping,
// never by typing an address. The lead's today is also checked at laptop size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, overflow, tap, PHONE, DESKTOP } from './helpers.mjs';

// A month of quarantine work: active orders, checks, open alerts, deliveries.
const env = serverAndBrowser({ residents: 1400, grids: 2, activity: true });

test('the lead opens today on a phone and taps through to the first task', async () => {
  const lead = await newPage(env.browser, env.server, PHONE);
  await login(lead, 'staff');
  assert.equal(new URL(lead.url()).pathname, '/');
  // Every figure is a number that links to its list.
  for (const id of ['fig-in-quarantine', 'fig-ends-today', 'fig-missing-checks', 'fig-open-fever', 'fig-open-missed', 'fig-deliveries']) {
    const fig = lead.locator(`[data-testid=${id}]`);
    assert.match(await fig.locator('.big-count').textContent(), /^\d+$/, id);
    assert.ok((await fig.getAttribute('href')).startsWith('/'), `${id} links to its list`);
  }
  const inQuarantine = Number(await lead.locator('[data-testid=fig-in-quarantine] .big-count').textContent());
  assert.ok(inQuarantine > 0, 'the seeded month has residents in quarantine');
  // Charts drawn on the server, fitting the phone, with their numbers in a table.
  for (const id of ['chart-checks', 'chart-alerts', 'chart-orders']) {
    const svg = lead.locator(`svg[data-testid=${id}]`);
    const box = await svg.boundingBox();
    assert.ok(box && box.width <= 390 && box.width > 300, `${id} fits the phone (${box?.width})`);
    await lead.click(`[data-testid=${id}-card] summary`);
    assert.equal(await lead.locator(`[data-testid=${id}-table] tbody tr`).count(), 14);
  }
  assert.ok((await overflow(lead)) <= 1, 'no sideways scrolling on the phone');
  await screenshot(lead, 'home-lead-phone');
  // The first task: the most pressing list, reached by a tap.
  const target = await lead.getAttribute('[data-testid=first-task]', 'href');
  await tap(lead, '[data-testid=first-task]', (u) => u.pathname === new URL(target, env.server.baseURL).pathname);
  assert.equal((await lead.title()).includes('错误'), false);
  // The number links to its list with the filter applied.
  await lead.goto('/');
  await tap(lead, '[data-testid=fig-open-fever]', (u) => u.pathname === '/checks' && u.searchParams.get('kind') === 'fever');
  assert.deepEqual(lead.problems, []);
  await lead.context().close();
});

test('the lead reads today on a laptop', async () => {
  const lead = await newPage(env.browser, env.server, DESKTOP);
  await login(lead, 'staff');
  await lead.locator('[data-testid=figures]').waitFor();
  const svg = await lead.locator('svg[data-testid=chart-checks]').boundingBox();
  assert.ok(svg && svg.width <= 1280, 'the chart stays inside the window');
  assert.ok((await overflow(lead)) <= 1);
  await screenshot(lead, 'home-lead-laptop');
  assert.deepEqual(lead.problems, []);
  await lead.context().close();
});

test('the doctor lands on open alerts first and taps the first one', async () => {
  const doctor = await newPage(env.browser, env.server, PHONE);
  await login(doctor, 'doctor');
  assert.equal(new URL(doctor.url()).pathname, '/checks');
  const alerts = await doctor.locator('#alerts').boundingBox();
  const slots = await doctor.locator('[data-testid=day-slots]').boundingBox();
  assert.ok(alerts && slots && alerts.y < slots.y, 'the alerts come before the day\'s residents');
  assert.ok(alerts.y < 844 * 2, `the alerts start near the top (${alerts.y}px)`);
  await screenshot(doctor, 'home-doctor-phone', { fullPage: false });
  const first = doctor.locator('[data-testid=alerts] tr.alert-row a').first();
  await Promise.all([doctor.waitForURL(/\/quarantine\/\d+\/checks$/), first.click()]);
  assert.deepEqual(doctor.problems, []);
  await doctor.context().close();
});

test('the grid worker lands on their grid and taps into the open households', async () => {
  // The plain demo has a screening campaign under way: the grid worker's home shows work.
  const gw = await newPage(env.browser, env.server, PHONE);
  await login(gw, 'gridworker');
  assert.equal(new URL(gw.url()).pathname, '/');
  const open = Number(await gw.locator('[data-testid=fig-open-households] .big-count').textContent());
  assert.ok(open > 0, 'the grid has households to screen');
  assert.ok((await overflow(gw)) <= 1);
  await screenshot(gw, 'home-gridworker-phone');
  await tap(gw, '[data-testid=first-task]', (u) => /^\/screening\/\d+\/households$/.test(u.pathname));
  assert.ok((await gw.locator('[data-testid=household-row]').count()) > 0);
  await gw.goBack();
  await tap(gw, '[data-testid=grid-link]', /\/grids\/\d+$/);
  assert.deepEqual(gw.problems, []);
  await gw.context().close();
});

test('the volunteer lands on today\'s tasks and taps the first delivery', async () => {
  const volunteer = await newPage(env.browser, env.server, PHONE);
  await login(volunteer, 'volunteer');
  assert.equal(new URL(volunteer.url()).pathname, '/tasks');
  // The server's job runner makes today's deliveries on its first tick.
  let cards = await volunteer.locator('[data-testid=task-card]').count();
  for (let i = 0; i < 20 && cards === 0; i++) {
    await volunteer.waitForTimeout(500);
    await tap(volunteer, 'a.brand', (u) => u.pathname === '/tasks');
    cards = await volunteer.locator('[data-testid=task-card]').count();
  }
  assert.ok(cards > 0, 'the volunteer has deliveries today');
  await screenshot(volunteer, 'home-volunteer-phone');
  await tap(volunteer, '[data-testid=task-card] .addr a >> nth=0', /\/tasks\/deliveries\/\d+$/);
  assert.deepEqual(volunteer.problems, []);
  await volunteer.context().close();
});

test('a refused page keeps the menu', async () => {
  const volunteer = await newPage(env.browser, env.server, PHONE);
  await login(volunteer, 'volunteer');
  const res = await volunteer.goto('/accounts');
  assert.equal(res.status(), 403);
  assert.ok((await volunteer.locator('header nav a[href="/tasks"]').count()) === 1, 'the menu is there');
  await tap(volunteer, 'header nav a[href="/tasks"]', (u) => u.pathname === '/tasks');
  await volunteer.context().close();
});
