// A case from suspicion to follow-up, as the community's lead and its guard live it: the lead
// records a suspected case from a resident's page and sees the building sealed on the risk map;
// the guard at the gate is refused that household's pass; the lead confirms the case with a
// neighbouring building in the alert zone, traces the contacts, and puts the close ones on home
// quarantine in one step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, PHONE, DESKTOP } from './helpers.mjs';

const env = serverAndBrowser({ residents: 300, grids: 2 });

/** A household of the demo with two members or more and a live pass, with a member and the code. */
async function familyWithPass(staff) {
  const list = await staff.request.get('/api/v1/passes?kind=household&state=live&limit=100');
  assert.equal(list.status(), 200, await list.text());
  for (const p of (await list.json()).items) {
    const h = await (await staff.request.get(`/api/v1/households/${p.household_id}`)).json();
    const members = h.members;
    if (members.length < 2) continue;
    const code = (await (await staff.request.get(`/api/v1/passes/${p.id}/code`)).json()).code;
    return { pass: p, resident: members[0], code };
  }
  throw new Error('the demo has no household of two with a live pass');
}

test('a suspected case seals its building, the gate refuses it, and contacts are followed up in one step', async () => {
  const lead = await newPage(env.browser, env.server, DESKTOP);
  await login(lead, 'staff');
  const { pass, resident, code } = await familyWithPass(lead);

  // From the resident's page, record the suspected case: the building is sealed at once.
  await lead.goto(`/residents/${resident.id}`);
  await lead.click('[data-testid=record-case-link]');
  await lead.selectOption('#k-source', 'fever_alert');
  await lead.click('[data-testid=record-case]');
  await lead.waitForURL(/\/cases\/\d+$/);
  const caseUrl = new URL(lead.url()).pathname;
  assert.match(await lead.textContent('[data-testid=case-status]'), /疑似/);
  assert.match(await lead.textContent('[data-testid=seals]'), new RegExp(pass.building_name));
  await screenshot(lead, 'case-suspected');

  // On the risk map the building is drawn sealed.
  await lead.goto('/risk-map');
  const block = lead.locator(`[data-building="${pass.building_id}"] rect`);
  assert.equal(await block.getAttribute('fill'), '#7c3aed');
  await screenshot(lead, 'risk-map-sealed');

  // The guard at the gate, on a phone: the sealed household's pass is refused.
  const guard = await newPage(env.browser, env.server, PHONE);
  await login(guard, 'guard');
  await guard.goto('/gates/scan');
  await guard.waitForURL(/\/gates\/\d+\/scan$/);
  await guard.click('[data-testid=dir-out]');
  await guard.fill('[data-testid=code]', code);
  await guard.click('[data-testid=check]');
  const result = guard.locator('[data-testid=result]');
  await result.waitFor({ state: 'visible' });
  assert.equal(await result.getAttribute('data-result'), 'refused');
  await screenshot(guard, 'gate-refuses-sealed', { fullPage: false });

  // Confirmed, with the neighbouring building in the alert zone: the map shows the outbreak point.
  const buildings = await (await lead.request.get(`/api/v1/grids/${pass.grid_id}/buildings`)).json();
  const neighbour = buildings.find((b) => b.id !== pass.building_id);
  await lead.goto(caseUrl);
  if (neighbour) await lead.fill('#d-zone', neighbour.name);
  await lead.click('[data-testid=confirm-case]');
  await lead.waitForURL(new RegExp(`${caseUrl}$`));
  assert.match(await lead.textContent('[data-testid=case-status]'), /确诊/);
  assert.match(await lead.textContent('[data-testid=zones]'), /疫点/);
  assert.match(await lead.textContent('[data-testid=disinfections]'), /待消杀/);
  await lead.goto('/risk-map');
  assert.equal(await lead.locator(`[data-building="${pass.building_id}"] rect`).getAttribute('fill'), '#7f1d1d');
  if (neighbour) {
    assert.equal(await lead.locator(`[data-building="${neighbour.id}"] rect`).getAttribute('fill'), '#ea580c');
  }

  // Tracing: the household's members are the closest contacts, ticked already; one step puts
  // them and the unit's neighbours on home quarantine.
  await lead.goto(caseUrl);
  await lead.click('[data-testid=trace-link]');
  await lead.waitForURL(/\/contacts$/);
  const rows = lead.locator('[data-testid=contacts] tbody tr');
  assert.ok((await rows.count()) >= 1, 'contacts are listed');
  assert.match(await lead.textContent('[data-testid=contacts]'), /同户/);
  await screenshot(lead, 'case-contacts');
  await lead.selectOption('#f-kind', 'self_quarantine');
  await lead.click('[data-testid=follow-up]');
  const done = await lead.textContent('[data-testid=followed-up]');
  const orders = Number(done.match(/新建隔离 (\d+) 人/)[1]);
  assert.ok(orders >= 1, done);
  assert.match(await lead.textContent('[data-testid=contacts]'), /已落实/);

  // The case report lists them, and is marked sent to the CDC.
  await lead.goto(`${caseUrl}/report`);
  assert.match(await lead.textContent('[data-testid=case-report]'), /居家隔离/);
  await lead.click('[data-testid=mark-sent]');
  await lead.waitForURL(/\/report$/);
  assert.doesNotMatch(await lead.textContent('[data-testid=report-sent]'), /未报送/);

  // The lead raises the community to key control, with the reason: every page shows it.
  await lead.goto('/cases');
  await lead.selectOption('[data-testid=control-level] select[name=level]', 'key');
  await lead.fill('[data-testid=control-level] input[name=reason]', '确诊病例一例');
  await lead.click('[data-testid=control-level] button[type=submit]');
  await lead.waitForURL(/\/cases$/);
  await lead.goto('/passes');
  assert.match(await lead.textContent('[data-testid=control-level-banner]'), /重点防控/);

  // The quarantine list has the contacts' orders, for contact with a case.
  const orderList = await (await lead.request.get('/api/v1/quarantine-orders?limit=100')).json();
  assert.ok(orderList.items.filter((o) => o.reason === 'case_contact').length >= orders);
  for (const p of [lead, guard]) assert.deepEqual(p.problems, []);
});
