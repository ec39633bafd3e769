// The demo's month of quarantine work, as the people who open it see it: the doctor's worklist
// lists today's residents and the month's alerts, and the server's own job runner gives the
// volunteer today's deliveries without anyone pressing a button.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, PHONE } from './helpers.mjs';

// 1,400 residents: 50 orders over the month, about 25 still in quarantine.
const env = serverAndBrowser({ residents: 1400, grids: 2, activity: true });

test('the doctor opens the seeded month and a volunteer finds deliveries the jobs made', async () => {
  const doctor = await newPage(env.browser, env.server, PHONE);
  await login(doctor, 'doctor');
  await doctor.goto('/checks');
  const today = doctor.locator('[data-testid=day-slots] tbody tr');
  await today.first().waitFor();
  const residents = await today.count();
  assert.ok(residents >= 10 && residents <= 50, `${residents} residents in quarantine today`);
  // Every cell says a temperature, "due" or "not checked": nothing is left blank.
  for (const text of await today.allTextContents()) {
    assert.match(text, /(\d{2}\.\d °C|待监测|未监测)/, `a slot reads ${text}`);
  }
  // The month's alerts were handled by the doctor: resolved ones are listed with their note.
  await doctor.goto('/checks?mine=1&state=resolved');
  const resolved = doctor.locator('[data-testid=alerts] tbody tr.alert-row');
  await resolved.first().waitFor();
  assert.ok((await resolved.count()) > 0);
  for (const state of await resolved.evaluateAll((rows) => rows.map((r) => r.dataset.state))) {
    assert.equal(state, 'resolved');
  }
  await screenshot(doctor, 'demo-month-doctor');
  assert.deepEqual(doctor.problems, []);
  await doctor.context().close();

  // The server's job runner creates today's deliveries on its first tick.
  const volunteer = await newPage(env.browser, env.server, PHONE);
  await login(volunteer, 'volunteer');
  let cards = 0;
  for (let i = 0; i < 20 && cards === 0; i++) {
    await volunteer.goto('/tasks');
    cards = await volunteer.locator('[data-testid=task-card]').count();
    if (cards === 0) await volunteer.waitForTimeout(500);
  }
  assert.ok(cards > 0, 'today\'s deliveries appear without anyone generating them');
  await screenshot(volunteer, 'demo-month-volunteer');
  assert.deepEqual(volunteer.problems, []);
  await volunteer.context().close();
});
