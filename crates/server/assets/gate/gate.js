// The guard's gate page: a pass code (camera or typed) or a visitor goes to the server, which
// decides and logs; with no network the phone decides itself (verify.js), queues the passage
// in IndexedDB and sends it when the network returns. A refusal can be overridden with a
// reason and the supervisor on duty. The decoders are loaded lazily: without them the page
// still works online with typed codes.

import * as store from './queue.js';

const root = document.getElementById('gate');
const gateId = Number(root.dataset.gateId);
const csrf = root.dataset.csrf;
const gateDirection = root.dataset.direction;
const gateClosed = root.dataset.closed === 'true';
const minuteOf = (hhmm) => (/^\d\d:\d\d$/.test(hhmm) ? Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) : null);
const gateHours = [minuteOf(root.dataset.opens), minuteOf(root.dataset.closes)];
const localClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: root.dataset.timeZone || undefined, hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
/** Minutes past midnight at `ms` in the community's time zone, as the server reads the hours. */
function localMinute(ms) {
  const parts = Object.fromEntries(localClock.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return Number(parts.hour) * 60 + Number(parts.minute);
}
const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => [...document.querySelectorAll(sel)];
const texts = (id) => new Map($$(`#${id} li`).map((li) => [li.dataset.key, li.textContent]));
const say = texts('script-texts');
const refusalText = texts('refusal-texts');
const t = (key) => say.get(key) || key;

const CACHE = 'gridwatch-gate-v1';
const KEYS_ITEM = 'gridwatch-gate-keys';
const REVOCATIONS_ITEM = `gridwatch-gate-revocations-${gateId}`;
const FEVER_TENTHS = 373;

const state = {
  direction: $('.dir.on')?.dataset.dir || 'out',
  temperature: '',
  health: '',
  /** The last passage shown: what an override sends again. */
  last: null,
};

let verifier = null;
let keys = null;
import('./verify.js')
  .then((m) => {
    verifier = m;
    keys = storedKeys();
  })
  .catch(() => {
    verifier = null;
  });

// --- choices: tab, direction, temperature, health code -------------------------------------

function choose(buttons, on) {
  for (const b of buttons) {
    b.classList.toggle('on', b === on);
    b.setAttribute('aria-pressed', String(b === on));
  }
}

for (const tab of $$('.tab')) {
  tab.addEventListener('click', () => {
    choose($$('.tab'), tab);
    for (const panel of $$('[data-panel]')) panel.hidden = panel.dataset.panel !== tab.dataset.tab;
    clearResult();
  });
}
for (const b of $$('.dir')) {
  b.addEventListener('click', () => {
    state.direction = b.dataset.dir;
    choose($$('.dir'), b);
  });
}
for (const b of $$('.temp')) {
  b.addEventListener('click', () => {
    state.temperature = b.dataset.temp;
    $('#temp-other').value = '';
    choose($$('.temp'), b);
  });
}
$('#temp-other').addEventListener('input', (e) => {
  state.temperature = e.target.value.trim().replace(',', '.');
  choose($$('.temp'), null);
});
for (const b of $$('.health')) {
  b.addEventListener('click', () => {
    state.health = b.dataset.health;
    choose($$('.health'), b);
  });
}

// --- the result -----------------------------------------------------------------------------

function clearResult() {
  $('#result').hidden = true;
  $('#override').hidden = true;
}

function localTime(ms) {
  return new Date(ms).toLocaleString(root.dataset.lang === 'zh' ? 'zh-CN' : 'en-GB', {
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

/** Shows a decision: { result, refusal, nextExitAt, pass: { colour, kind, place }, note }. */
function show(d) {
  const box = $('#result');
  const verdict = { admitted: 'gatescan.admit', refused: 'gatescan.refuse', overridden: 'gatescan.overridden' };
  box.className = `result ${d.result === 'admitted' ? 'admit' : d.result === 'refused' ? 'refuse' : 'overridden'}`;
  box.dataset.result = d.result;
  box.querySelector('.verdict').textContent = t(verdict[d.result]);
  let reason = d.refusal ? refusalText.get(d.refusal) || d.refusal : '';
  if (d.nextExitAt) reason += ` · ${t('gatescan.next_exit')} ${localTime(d.nextExitAt)}`;
  box.querySelector('.reason').textContent = reason;
  box.dataset.refusal = d.refusal || '';
  const swatch = box.querySelector('.swatch');
  if (d.pass?.colour) swatch.style.background = d.pass.colour;
  else swatch.removeAttribute('style');
  box.querySelector('[data-testid=pass-kind]').textContent = d.pass ? t(`gatescan.kind.${d.pass.kind}`) : d.visitor ? t('gatescan.visitor') : '';
  const plate = d.pass?.plate ? ` · ${d.pass.plate}` : '';
  box.querySelector('[data-testid=pass-place]').textContent = (d.pass?.place || '') + plate;
  // A car's pass lets the car through; each person in it is checked on their own.
  const occupants = d.pass?.kind === 'vehicle' && d.result !== 'refused' ? t('gatescan.vehicle_occupants') : '';
  box.querySelector('[data-testid=result-note]').textContent = [d.note, occupants].filter(Boolean).join(' ');
  box.hidden = false;
  $('#override').hidden = d.result !== 'refused' || !state.last;
  box.scrollIntoView({ block: 'start' });
}

function showError(message) {
  show({ result: 'refused', refusal: null, note: `${t('gatescan.error')}${message ? `: ${message}` : ''}` });
  $('#override').hidden = true;
}

$('#next').addEventListener('click', () => {
  clearResult();
  state.last = null;
  $('#code').value = '';
  $('#code').focus();
});

// --- sending, and deciding offline ----------------------------------------------------------

const uuid = () => crypto.randomUUID?.() || `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

function post(url, body) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
  });
}

/** Sends a passage now; null when the network or the server is not there. */
async function send(url, body) {
  if (!navigator.onLine) return null;
  try {
    const res = await post(url, body);
    return res.status >= 500 ? null : res;
  } catch {
    return null;
  }
}

async function errorMessage(res) {
  try {
    const e = await res.json();
    const fields = (e.error?.fields || []).map((f) => f.message).join('; ');
    return fields || e.error?.message || String(res.status);
  } catch {
    return String(res.status);
  }
}

/** A decision of the server, shown and noted in the phone's own log. */
async function decided(res, kind) {
  const d = await res.json();
  const p = d.passage;
  if (p.pass_id) {
    await store.remember({
      client_id: p.client_id || uuid(), gate_id: gateId, pass_id: p.pass_id, kind: p.pass_kind,
      household_id: p.household_id, direction: p.direction, at: p.at, result: p.result,
    });
  }
  show({
    result: d.result,
    refusal: d.refusal,
    nextExitAt: p.next_exit_at,
    pass: d.pass,
    visitor: kind === 'visitor',
    note: d.repeated ? t('gatescan.repeated') : '',
  });
}

async function passage(kind, body) {
  const url = `/api/v1/gates/${gateId}/${kind === 'visitor' ? 'visitors' : 'passages'}`;
  state.last = { kind, body };
  const res = await send(url, body);
  if (res === null) return offline(kind, url, body);
  if (res.ok) return decided(res, kind);
  showError(await errorMessage(res));
}

/** The phone decides as the server would, as far as it knows, and queues the passage. */
async function offline(kind, url, body) {
  let refusal = null;
  let nextExitAt = null;
  let claims = null;
  if (kind === 'visitor') {
    if (body.health_code !== 'green') refusal = 'visitor_health_code';
    else if (Math.round(Number(body.temperature) * 10) >= FEVER_TENTHS) refusal = 'visitor_fever';
  } else {
    if (!verifier || !keys || keys.size === 0) return showError(t('gatescan.offline'));
    try {
      const now = Math.floor(body.at / 1000);
      claims = await verifier.verifyPass(body.code, keys, now);
      verifier.judge(claims, {
        gateId, closed: gateClosed, gateDirection, direction: body.direction,
        hours: gateHours[0] === null || gateHours[1] === null ? null : gateHours, minute: localMinute(body.at),
        temperature: body.temperature, revocations: storedRevocations(),
        log: await store.recent(), at: body.at,
      });
    } catch (e) {
      refusal = e.code || 'pass_malformed';
      nextExitAt = e.nextExitAt || null;
    }
  }
  const result = refusal === null ? 'admitted' : body.override ? 'overridden' : 'refused';
  const queuedBody = { ...body, decided_offline: result };
  await store.enqueue({ client_id: body.client_id, url, body: queuedBody });
  if (claims) {
    await store.remember({
      client_id: body.client_id, gate_id: gateId, pass_id: claims.passId, kind: claims.kind,
      household_id: claims.householdId, direction: body.direction, at: body.at, result,
    });
  }
  await showQueue();
  const pass = claims && { colour: claims.colour, kind: claims.kind, place: `${t('gatescan.household')} #${claims.householdId}` };
  show({ result, refusal, nextExitAt, pass, visitor: kind === 'visitor', note: t('gatescan.offline_decided') });
}

function passBody(code) {
  return {
    code: code.trim(), direction: state.direction, temperature: state.temperature,
    persons: 1, client_id: uuid(), at: Date.now(),
  };
}

$('#code-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const code = $('#code').value.trim();
  if (code) passage('pass', passBody(code));
});

$('#visitor-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  passage('visitor', {
    name: f.get('name').trim(), document_number: f.get('document_number').trim(),
    phone: f.get('phone').trim(), origin: f.get('origin').trim(),
    building: f.get('building').trim(), unit: f.get('unit').trim(), room: f.get('room').trim(),
    purpose: f.get('purpose').trim(),
    health_code: state.health, temperature: state.temperature,
    client_id: uuid(), at: Date.now(),
  });
});

// Where a visitor comes from, picked by name: the server's suggestions when the network is
// there; a code or an exact name typed by hand otherwise.
let originAsked = 0;
$('#v-origin').addEventListener('input', async (e) => {
  const q = e.target.value.trim();
  const asked = ++originAsked;
  if (!q || !navigator.onLine) return;
  try {
    const res = await fetch(`/regions?q=${encodeURIComponent(q)}`, { credentials: 'same-origin' });
    if (res.ok && asked === originAsked) $('#v-origins').innerHTML = await res.text();
  } catch {
    // No suggestions: the field still takes a code or a name.
  }
});

// Where a visitor is going: a gate that serves too many buildings to list on its page offers
// them as the guard types; otherwise the page's own list serves, offline too.
let buildingAsked = 0;
$('#v-building').addEventListener('input', async (e) => {
  const suggest = $('#v-buildings').dataset.suggest;
  const q = e.target.value.trim();
  const asked = ++buildingAsked;
  if (!suggest || !q || !navigator.onLine) return;
  try {
    const res = await fetch(`${suggest}?building=${encodeURIComponent(q)}`, { credentials: 'same-origin' });
    if (res.ok && asked === buildingAsked) $('#v-buildings').innerHTML = await res.text();
  } catch {
    // No suggestions: the field still takes the building's name typed in full.
  }
});

$('#override-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!state.last) return;
  const f = new FormData(e.target);
  const override = {
    reason: f.get('reason').trim(), requested_by: f.get('requested_by').trim(), supervisor: f.get('supervisor').trim(),
  };
  const body = { ...state.last.body, client_id: uuid(), at: Date.now(), override };
  delete body.decided_offline;
  e.target.reset();
  passage(state.last.kind, body);
});

// --- the queue, the network, the cached keys and revocations --------------------------------

async function showQueue() {
  $('#queue-count').textContent = String(await store.queueLength());
}

function showNet() {
  const on = navigator.onLine;
  const net = $('#net');
  net.textContent = t(on ? 'gatescan.online' : 'gatescan.offline');
  net.classList.toggle('off', !on);
}

let syncing = false;

/** Sends the queued passages, oldest first; a passage sent twice is stored once (client_id). */
async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  let flagged = 0;
  try {
    for (const item of await store.queued()) {
      let res;
      try {
        res = await post(item.url, item.body);
      } catch {
        break;
      }
      // Signed out or off shift: kept until the guard can send them.
      if (res.status >= 500 || res.status === 401 || res.status === 403) break;
      // Stored now or before; a passage the server refuses to read would block the rest.
      if (!res.ok) console.warn(`${t('gatescan.rejected')}: ${await errorMessage(res)}`);
      else if ((await res.json().catch(() => null))?.passage?.conflict) flagged += 1;
      await store.dequeue(item.client_id);
    }
  } finally {
    syncing = false;
    await showQueue();
    // Let through offline, refused by the rule once the server knew more: the supervisor sees
    // it on the list of exceptions; the guard is told it happened.
    if (flagged > 0) {
      const note = $('#sync-note');
      note.textContent = t('gatescan.flagged').replace('{n}', String(flagged));
      note.hidden = false;
    }
  }
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

function storedKeys() {
  const raw = localStorage.getItem(KEYS_ITEM);
  if (!raw || !verifier) return null;
  try {
    return verifier.parseKeySet(fromBase64(raw));
  } catch {
    return null;
  }
}

function storedRevocations() {
  try {
    return JSON.parse(localStorage.getItem(REVOCATIONS_ITEM) || 'null');
  } catch {
    return null;
  }
}

/** Fetches the key set and the revocation list for the next time the network is down. */
async function refresh() {
  if (!navigator.onLine) return;
  try {
    const k = await fetch('/api/v1/passes/keys');
    if (k.ok) {
      localStorage.setItem(KEYS_ITEM, toBase64(new Uint8Array(await k.arrayBuffer())));
      keys = storedKeys();
    }
    const r = await fetch(`/api/v1/gates/${gateId}/revocations`, { credentials: 'same-origin' });
    if (r.ok) localStorage.setItem(REVOCATIONS_ITEM, JSON.stringify(await r.json()));
  } catch {
    // No network after all: the cached copies stay.
  }
}

/** Keeps this page and its assets for work with no network. */
async function install() {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/gates/sw.js', { scope: '/gates/' });
    if (navigator.onLine && 'caches' in window) {
      const cache = await caches.open(CACHE);
      const res = await fetch(location.pathname, { credentials: 'same-origin' });
      if (res.ok && !res.redirected) await cache.put(location.pathname, res);
    }
  } catch {
    // The page works without it while the network is up.
  }
}

window.addEventListener('online', () => {
  showNet();
  sync().then(refresh);
});
window.addEventListener('offline', showNet);
setInterval(() => sync(), 15_000);
setInterval(() => refresh(), 60_000);
showNet();
showQueue();
refresh().then(sync);
install();

import('./camera.js')
  .then((camera) => {
    if (!camera.hasCamera()) return;
    const startBtn = $('#camera-start');
    const stopBtn = $('#camera-stop');
    const video = $('#camera');
    startBtn.hidden = false;
    startBtn.addEventListener('click', async () => {
      clearResult();
      try {
        stopBtn.hidden = false;
        startBtn.hidden = true;
        await camera.start(video, (code) => {
          stopBtn.hidden = true;
          startBtn.hidden = false;
          $('#code').value = code;
          passage('pass', passBody(code));
        });
      } catch {
        stopBtn.hidden = true;
        startBtn.hidden = false;
        showError(t('gatescan.no_camera'));
      }
    });
    stopBtn.addEventListener('click', () => {
      camera.stop(video);
      stopBtn.hidden = true;
      startBtn.hidden = false;
    });
  })
  .catch(() => {});
