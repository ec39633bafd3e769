// The guard's gate page on a phone: a household pass typed in (the camera's fallback) is
// admitted in green; a visitor with a red health code is refused in red with the reason, and
// let through by an override that then shows on the supervisors' list of exceptions; with the
// network gone, three passes are verified on the phone itself and queued, and when it returns
// the server's passage log has each of them exactly once, and a pass revoked since the phone
// last fetched its list is flagged for the supervisor. The phone's verifier reads what the
// server signs and refuses any code altered by one character.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serverAndBrowser, newPage, login, screenshot, citizenId, runCli, PHONE, DESKTOP } from './helpers.mjs';

const env = serverAndBrowser({ residents: 120, grids: 2 });

/** Household passes of the demo with their codes, read by staff through the API. */
async function householdPasses(staff, count) {
  const list = await staff.request.get(`/api/v1/passes?kind=household&state=live&limit=${count}`);
  assert.equal(list.status(), 200, await list.text());
  const passes = (await list.json()).items;
  assert.ok(passes.length >= count, `the demo has ${passes.length} household passes`);
  for (const p of passes) {
    const res = await staff.request.get(`/api/v1/passes/${p.id}/code`);
    assert.equal(res.status(), 200, await res.text());
    p.code = (await res.json()).code;
  }
  return passes;
}

async function check(page, code) {
  await page.locator('[data-testid=next]').click({ timeout: 500 }).catch(() => {});
  await page.fill('[data-testid=code]', code);
  await page.click('[data-testid=check]');
  const result = page.locator('[data-testid=result]');
  await result.waitFor({ state: 'visible' });
  return result;
}

async function passagesOf(staff, query) {
  const res = await staff.request.get(`/api/v1/passages?${query}&limit=100`);
  assert.equal(res.status(), 200, await res.text());
  return (await res.json()).items;
}

test('a guard at the gate: a pass, a refused visitor, an override, and work with no network', async () => {
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  const passes = await householdPasses(staff, 5);

  const page = await newPage(env.browser, env.server, PHONE);
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await login(page, 'guard');
  await page.goto('/gates/scan');
  await page.waitForURL(/\/gates\/\d+\/scan$/);
  const gateId = Number(new URL(page.url()).pathname.split('/')[2]);
  // The key set and the gate's revocation list are kept for work with no network.
  await page.waitForFunction(
    (id) => localStorage.getItem('gridwatch-gate-keys') && localStorage.getItem(`gridwatch-gate-revocations-${id}`),
    gateId,
  );
  // Revoked after the phone fetched its list: the phone cannot know until it fetches again.
  const staffCsrf = await staff.inputValue('input[name=csrf] >> nth=0');
  const revoked = await staff.request.post(`/api/v1/passes/${passes[4].id}/revoke`, {
    headers: { 'x-csrf-token': staffCsrf },
    data: { reason: 'lost' },
  });
  assert.equal(revoked.status(), 204, await revoked.text());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the gate page is ${overflow}px wider than the phone`);
  const checkBox = await page.locator('[data-testid=check]').boundingBox();
  assert.ok(checkBox.height >= 56, `the check button is ${checkBox.height}px high`);

  // A household going out, temperature taken in one tap: admitted in green, with its place.
  await page.click('[data-testid=dir-out]');
  await page.click('[data-testid="temp-36.5"]');
  let result = await check(page, passes[0].code);
  assert.equal(await result.getAttribute('data-result'), 'admitted');
  assert.match(await page.textContent('[data-testid=verdict]'), /放行/);
  assert.match(await page.textContent('[data-testid=pass-place]'), new RegExp(passes[0].room));
  assert.equal(await result.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(27, 127, 59)');
  await screenshot(page, 'gate-admitted', { fullPage: false });

  // A car: its pass lets the car through, and the guard is told to check each person in it.
  const car = await staff.request.post('/api/v1/passes', {
    headers: { 'x-csrf-token': staffCsrf },
    data: { kind: 'vehicle', household_id: passes[1].household_id, plate: '陕A·D12345' },
  });
  assert.equal(car.status(), 201, await car.text());
  const carCode = (await (await staff.request.get(`/api/v1/passes/${(await car.json()).id}/code`)).json()).code;
  result = await check(page, carCode);
  assert.equal(await result.getAttribute('data-result'), 'admitted');
  assert.match(await page.textContent('[data-testid=pass-place]'), /陕AD12345/);
  assert.match(await page.textContent('[data-testid=result-note]'), /车内每个人/);

  // A visitor with a red health code: refused in red, and told why.
  await page.click('[data-testid=tab-visitor]');
  await page.fill('[data-testid=v-name]', '访客甲');
  await page.fill('[data-testid=v-doc]', citizenId());
  await page.fill('[data-testid=v-phone]', '13912345678');
  // Where from by name, where to by building, unit and room, as the guard hears them.
  await page.fill('[data-testid=v-origin]', '西安市');
  await page.fill('[data-testid=v-building]', passes[0].building_name);
  await page.fill('[data-testid=v-unit]', passes[0].unit_name);
  await page.fill('[data-testid=v-room]', passes[0].room);
  await page.fill('[data-testid=v-purpose]', '送药');
  await page.click('[data-testid=health-red]');
  await page.click('[data-testid="temp-36.6"]');
  await page.click('[data-testid=visitor-check]');
  result = page.locator('[data-testid=result]');
  await result.waitFor({ state: 'visible' });
  assert.equal(await result.getAttribute('data-result'), 'refused');
  assert.equal(await result.getAttribute('data-refusal'), 'visitor_health_code');
  assert.match(await page.textContent('[data-testid=reason]'), /健康码/);
  assert.equal(await result.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(179, 38, 30)');
  await screenshot(page, 'gate-visitor-refused', { fullPage: false });

  // The override: a reason and the supervisor on duty are required; it is then on the list.
  await page.locator('[data-testid=override]').waitFor({ state: 'visible' });
  await page.fill('[data-testid=o-reason]', '送急用药品，放下即走');
  await page.fill('[data-testid=o-requested]', '街道王干部电话通知');
  await page.fill('[data-testid=o-supervisor]', '李组长');
  await page.click('[data-testid=override-submit]');
  await page.waitForFunction(() => document.querySelector('[data-testid=result]').dataset.result === 'overridden');
  const exceptions = await passagesOf(staff, 'exceptions=true');
  const overridden = exceptions.filter((p) => p.override_requested_by === '街道王干部电话通知');
  assert.equal(overridden.length, 1, JSON.stringify(exceptions));
  assert.equal(overridden[0].result, 'overridden');
  assert.equal(overridden[0].household_id, passes[0].household_id, 'the household found by its place');
  assert.equal(overridden[0].reason, 'visitor_health_code');
  assert.equal(overridden[0].override_supervisor, '李组长');

  // No network: three passes verified on the phone and queued.
  await page.click('[data-testid=tab-pass]');
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.querySelector('[data-testid=net-state]').classList.contains('off'));
  const offline = passes.slice(1, 4);
  for (const [i, p] of offline.entries()) {
    result = await check(page, p.code);
    assert.equal(await result.getAttribute('data-result'), 'admitted', await page.textContent('[data-testid=result]'));
    assert.match(await page.textContent('[data-testid=result-note]'), /断网/);
    assert.equal(await page.textContent('[data-testid=queue-count]'), String(i + 1));
  }
  // The same pass out twice in a row is refused on the phone too.
  result = await check(page, offline[0].code);
  assert.equal(await result.getAttribute('data-refusal'), 'pass_presented_twice');
  // Overridden on the phone: queued with its reason like any passage.
  await page.fill('[data-testid=o-reason]', '回家取忘带的药');
  await page.fill('[data-testid=o-supervisor]', '李组长');
  await page.click('[data-testid=override-submit]');
  await page.waitForFunction(() => document.querySelector('[data-testid=result]').dataset.result === 'overridden');
  assert.equal(await page.textContent('[data-testid=queue-count]'), '5');
  // A code altered by one character is refused.
  const code = offline[1].code;
  const altered = code.slice(0, 40) + (code[40] === 'A' ? 'B' : 'A') + code.slice(41);
  result = await check(page, altered);
  assert.equal(await result.getAttribute('data-result'), 'refused');
  // The pass revoked since the list was fetched: admitted here, flagged once sent.
  result = await check(page, passes[4].code);
  assert.equal(await result.getAttribute('data-result'), 'admitted');
  await screenshot(page, 'gate-offline', { fullPage: false });
  // A visitor with no network: the phone applies the health code and temperature, and queues.
  await page.click('[data-testid=tab-visitor]');
  await page.fill('[data-testid=v-purpose]', '探望老人');
  await page.click('[data-testid=health-green]');
  await page.click('[data-testid="temp-36.4"]');
  await page.click('[data-testid=visitor-check]');
  await page.waitForFunction(() => document.querySelector('[data-testid=queue-count]').textContent === '8');
  await page.locator('[data-testid=result]').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('[data-testid=result]', 'data-result'), 'admitted');
  assert.equal(await page.textContent('[data-testid=pass-kind]'), '访客');
  await page.click('[data-testid=tab-pass]');
  // Opened again with no network: the service worker serves the page, the queue is still there.
  await page.reload();
  await page.locator('[data-testid=code]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=queue-count]').textContent === '8');

  // The network returns: the queue is sent, and the log has each passage once.
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.querySelector('[data-testid=queue-count]').textContent === '0', null, {
    timeout: 20_000,
  });
  await page.locator('[data-testid=sync-note]').waitFor({ state: 'visible' });
  assert.match(await page.textContent('[data-testid=sync-note]'), /1/);
  const flagged = (await passagesOf(staff, 'exceptions=true')).filter((x) => x.pass_id === passes[4].id);
  assert.equal(flagged.length, 1, JSON.stringify(flagged));
  assert.equal(flagged[0].conflict, true);
  assert.equal(flagged[0].reason, 'pass_revoked');
  const log = await passagesOf(staff, `gate_id=${gateId}`);
  for (const p of offline) {
    const mine = log.filter((x) => x.pass_id === p.id);
    const admitted = mine.filter((x) => x.result === 'admitted');
    assert.equal(admitted.length, 1, JSON.stringify(mine));
    assert.ok(admitted[0].client_id, 'an offline passage keeps the id the phone gave it');
  }
  const offlineOverride = (await passagesOf(staff, 'exceptions=true')).filter((x) => x.override_reason === '回家取忘带的药');
  assert.equal(offlineOverride.length, 1, JSON.stringify(offlineOverride));
  assert.equal(offlineOverride[0].pass_id, offline[0].id);
  const visits = log.filter((x) => x.purpose === '探望老人');
  assert.equal(visits.length, 1, JSON.stringify(visits));
  assert.equal(visits[0].result, 'admitted');
  // Sent again (a phone that lost the answer): stored once, answered as repeated.
  const again = log.find((x) => x.pass_id === offline[2].id && x.result === 'admitted');
  const csrf = await page.getAttribute('#gate', 'data-csrf');
  const resend = await page.request.post(`/api/v1/gates/${gateId}/passages`, {
    headers: { 'x-csrf-token': csrf },
    data: { code: offline[2].code, direction: 'out', client_id: again.client_id, at: again.at, decided_offline: 'admitted' },
  });
  assert.equal(resend.status(), 200, await resend.text());
  assert.equal((await resend.json()).repeated, true);
  assert.equal((await passagesOf(staff, `pass_id=${offline[2].id}`)).filter((x) => x.result === 'admitted').length, 1);

  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations on the gate page');
  assert.deepEqual(page.problems.filter((p) => !/request failed/.test(p)), []);
  assert.deepEqual(staff.problems, []);
});

test('an account that keeps no gate is refused, and the page works online without its decoders', async () => {
  // No service worker here: it would serve the decoders from its cache.
  const context = await env.browser.newContext({ ...PHONE, baseURL: env.server.baseURL, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await context.newPage();
  // The decoders fail to load: a typed code is still decided by the server.
  await page.route('**/assets/vendor/**', (route) => route.abort());
  await login(page, 'guard');
  await page.goto('/gates/scan');
  await page.waitForURL(/\/gates\/\d+\/scan$/);
  const gateId = Number(new URL(page.url()).pathname.split('/')[2]);
  const result = await check(page, 'GW1:NOTAPASS');
  assert.equal(await result.getAttribute('data-result'), 'refused');
  assert.equal(await result.getAttribute('data-refusal'), 'pass_malformed');

  const other = await newPage(env.browser, env.server, PHONE);
  await login(other, 'doctor');
  const res = await other.goto(`/gates/${gateId}/scan`);
  assert.equal(res.status(), 403);
});

test("the phone's verifier reads the server's passes, refuses every altered character, and judges the gate's hours", async () => {
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  const [pass] = await householdPasses(staff, 1);
  const page = await newPage(env.browser, env.server, PHONE);
  await login(page, 'guard');
  await page.goto('/gates/scan');
  await page.waitForURL(/\/gates\/\d+\/scan$/);
  const outcome = await page.evaluate(async (code) => {
    const v = await import('/assets/gate/verify.js');
    const keys = v.parseKeySet(new Uint8Array(await (await fetch('/api/v1/passes/keys')).arrayBuffer()));
    const now = Math.floor(Date.now() / 1000);
    const claims = await v.verifyPass(code, keys, now);
    const refusal = async (c, at = now) => v.verifyPass(c, keys, at).then(() => null, (e) => e.code);
    const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    const accepted = [];
    for (let i = 4; i < code.length; i++) {
      const other = B45[(B45.indexOf(code[i]) + 1) % B45.length];
      const altered = code.slice(0, i) + other + code.slice(i + 1);
      if ((await refusal(altered)) === null) accepted.push(i);
    }
    const gate = { gateId: 1, gateDirection: 'both', direction: 'out', revocations: null, log: [], at: Date.now() };
    const judged = (more) => {
      try {
        v.judge(claims, { ...gate, ...more });
        return null;
      } catch (e) {
        return e.code;
      }
    };
    return {
      claims,
      accepted,
      hours: [
        judged({ hours: [480, 1200], minute: 600 }),
        judged({ hours: [480, 1200], minute: 1260 }),
        judged({ hours: [1320, 360], minute: 60 }),
        judged({ hours: [1320, 360], minute: 720 }),
      ],
      revokedHere: judged({ revocations: { revoked: [claims.passId], suspended: [] } }),
      fever: judged({ temperature: '37.3' }),
      expired: await refusal(code, claims.expiresAt),
      early: await refusal(code, claims.issuedAt - 1),
      notAPass: await refusal('HC1:' + code.slice(4)),
      unknownKey: await v.verifyPass(code, new Map(), now).then(() => null, (e) => e.code),
    };
  }, pass.code);
  assert.equal(outcome.claims.passId, pass.id);
  assert.equal(outcome.claims.householdId, pass.household_id);
  assert.equal(outcome.claims.kind, 'household');
  assert.equal(outcome.claims.colour, pass.colour);
  assert.deepEqual(outcome.claims.quota, { exits: pass.quota_exits, days: pass.quota_days });
  assert.deepEqual(outcome.accepted, [], 'altered codes that still verify');
  assert.deepEqual(outcome.hours, [null, 'gate_closed', null, 'gate_closed'], 'opening hours, across midnight too');
  assert.equal(outcome.revokedHere, 'pass_revoked');
  assert.equal(outcome.fever, 'passage_fever');
  assert.equal(outcome.expired, 'pass_expired');
  assert.equal(outcome.early, 'pass_not_yet_valid');
  assert.equal(outcome.notAPass, 'pass_not_a_pass');
  assert.equal(outcome.unknownKey, 'pass_unknown_key');
});

test('a gate of more buildings than its page lists offers them as the guard types', async () => {
  // A thousand more buildings from the street office's roster, through the CLI's import.
  const staff = await newPage(env.browser, env.server, DESKTOP);
  await login(staff, 'staff');
  const communities = await (await staff.request.get('/api/v1/communities')).json();
  const community = communities[0].id;
  const rows = ['网格,楼栋,单元'];
  for (let n = 1; n <= 1000; n += 1) rows.push(`第1网格,${n}栋,1`);
  const roster = path.join(env.server.dir, 'roster.csv');
  await writeFile(roster, rows.join('\r\n'));
  const out = await runCli(env.server, ['import', 'structure', '--community', String(community), roster]);
  assert.match(String(out), /1000/, String(out));

  const page = await newPage(env.browser, env.server, PHONE);
  await login(page, 'guard');
  await page.goto('/gates/scan');
  await page.waitForURL(/\/gates\/\d+\/scan$/);
  const list = page.locator('#v-buildings');
  assert.match(await list.getAttribute('data-suggest'), /^\/gates\/\d+\/buildings$/);
  await page.click('[data-testid=tab-visitor]');
  await page.fill('[data-testid=v-building]', '99');
  await page.waitForFunction(() => document.querySelectorAll('#v-buildings option').length > 0);
  const offered = await list.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.equal(offered[0], '99栋', offered.join(' '));
  assert.ok(offered.every((n) => n.startsWith('99')), offered.join(' '));
});
