// Every page of the demo, as each role sees it on a phone: signed in in Chinese at 390 × 844, the
// crawl starts at the home page and follows the same-origin links of each page it opens
// (breadth-first), one or two pages of each shape of address (one resident's page, not all of
// them). On each page it fails on text that is not for a reader: an untranslated key, an internal
// identifier (`document_number`, `{"`), `#12` standing for a name, English words on a Chinese
// page; on anything wider than the screen; on a button or a box to tick smaller than a finger;
// and on axe-core's serious and critical accessibility violations. Each page's failures are
// gathered and all of them reported at the end, page by page.
//
// The same crawl runs once in English, where it looks for keys with no English text, width and
// accessibility (Chinese words in it are names and addresses, so they are not checked).
//
// Bounded: at most PAGES_PER_ROLE pages a role and BUDGET_MS for the whole crawl, so the file
// stays within a few minutes. GRIDWATCH_CRAWL_PAGES and GRIDWATCH_CRAWL_SECONDS change them;
// GRIDWATCH_CRAWL_LOG=1 lists the pages opened.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { serverAndBrowser, login, screenshot, PHONE } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const ROLES = ['admin', 'official', 'staff', 'gridworker', 'guard', 'doctor', 'volunteer', 'cdc', 'auditor'];
const PAGES_PER_ROLE = Number(process.env.GRIDWATCH_CRAWL_PAGES || 40);
const BUDGET_MS = Number(process.env.GRIDWATCH_CRAWL_SECONDS || 240) * 1000;
/** Pages opened of one shape of address (`/residents/{n}`, `/checks?state=…`), and of one path
 * whatever its query (`/residents?grid=…`, `/residents?building=…&after=…`). */
const PER_SHAPE = 1;
const PER_PATH = 3;

/** Addresses the crawl does not open: they sign out, download a file, or are not pages. */
const SKIP = [
  /^\/logout/,
  /^\/lang/,
  /^\/assets\//,
  /^\/api\//,
  /^\/export\//,
  /\/export(\/|$|\?)/,
  /\.(csv|xlsx|xls|pdf|png|svg|js|json|webmanifest|zip)(\?|$)/,
  /\/sw\.js$/,
  /\/manifest\.webmanifest$/,
];

const started = Date.now();

// With the demo's month of activity, so lists, alerts, tasks and the trail have entries.
const env = serverAndBrowser({ residents: 600, grids: 2, activity: true });

/** The shape of an address: numbers and tokens become `{}`, query values dropped. */
function shapeOf(url) {
  const u = new URL(url);
  const path = u.pathname
    .split('/')
    .map((seg) => (/\d/.test(seg) && !/^[a-z-]+$/.test(seg) ? '{}' : seg))
    .join('/');
  const keys = [...new Set([...u.searchParams.keys()])].sort().join('&');
  return keys ? `${path}?${keys}` : path;
}

/** Shapes axe-core has already checked in a language, whoever was signed in: a page's markup
 * is its template's, so one role's look at it is enough. */
const axeChecked = new Set();

/**
 * What the page shows a reader that it should not; run in the page. Returns a list of findings.
 * `lang` is the page's language; `skipWords` are the demo's login names, shown in the header.
 */
function inspectPage({ lang, skipWords }) {
  const found = [];
  const note = (kind, text) => found.push(`${kind}: ${text.trim().slice(0, 120)}`);
  const visible = (el) =>
    el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) !== false;

  // The visible texts of the page: text nodes, and what a reader sees or hears of controls.
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,template,noscript')) continue;
    const text = n.nodeValue.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    if (el.closest('select')) {
      texts.push({ el, text });
      continue;
    }
    if (!visible(el)) continue;
    texts.push({ el, text });
  }
  for (const el of document.body.querySelectorAll('[placeholder],[title],[aria-label],input[type=submit][value],img[alt]')) {
    if (!visible(el)) continue;
    for (const attr of ['placeholder', 'title', 'aria-label', 'alt']) {
      const v = el.getAttribute(attr);
      if (v && v.trim()) texts.push({ el, text: v.trim(), attr });
    }
    if (el.matches('input[type=submit]')) texts.push({ el, text: el.value });
  }

  const seen = new Set();
  for (const { el, text } of texts) {
    // Data typed by people (names, addresses, notes) sits in translate="no" or form fields;
    // the words of another language are marked with their lang.
    const data = el.closest('[translate=no],input,textarea,code,pre');
    const ownLang = (el.closest('[lang]')?.getAttribute('lang') || '').toLowerCase();
    const foreign = ownLang && !ownLang.startsWith(lang);
    if (foreign) continue;
    const report = (kind, what) => {
      const key = `${kind}|${what}`;
      if (seen.has(key)) return;
      seen.add(key);
      note(kind, what === text ? text : `${what} (in "${text.slice(0, 60)}")`);
    };
    // An i18n key: lower-case words joined by dots (`nav.residents`, `error.not_found`), which
    // the server shows when a key has no text; file names (`residents.xlsx`) are not keys.
    for (const m of text.matchAll(/(?<![\w.@/-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w.@/-])/g)) {
      if (/\.(xlsx|xls|csv|pdf|png|svg|html|txt|json|cn|com|org|net|local)$/.test(m[0])) continue;
      report('untranslated key', m[0]);
    }
    if (data) continue;
    for (const m of text.matchAll(/[A-Za-z0-9]+_[A-Za-z0-9_]+/g)) {
      if (skipWords.includes(m[0])) continue;
      report('raw identifier', m[0]);
    }
    if (text.includes('{"') || text.includes('":')) report('raw JSON', text);
    for (const m of text.matchAll(/#\d+/g)) report('a number for a name', m[0]);
    // A time as the machine keeps it: milliseconds since 1970, or ISO 8601 with its T and zone.
    for (const m of text.matchAll(/(?<!\d)1\d{12}(?!\d)|\d{4}-\d\d-\d\dT\d\d:\d\d/g)) report('raw timestamp', m[0]);
    if (lang === 'zh') {
      // English words on a Chinese page; a few that are the same in both languages are allowed.
      const allowed = /^(QR|PDF|CSV|Excel|XLSX|SMS|ID|IC|CT|PCR|OK|API|URL|PWA|UTC|GB|GB\/T|kg|km|mm|cm|ml|Gridwatch|htmx|Token|token|°C)$/;
      // File names (`residents.xlsx`) and formats (`UTF-8`) are the same in both languages.
      const words = text.replace(/[\w.-]+\.(csv|xlsx|xls|pdf)\b/g, ' ').replace(/\b(UTF-8|GBK|xlsx|csv)\b/gi, ' ');
      for (const m of words.matchAll(/[A-Za-z][A-Za-z'-]{2,}/g)) {
        if (allowed.test(m[0]) || skipWords.includes(m[0])) continue;
        report('English on a Chinese page', m[0]);
      }
    }
  }

  // Nothing wider than the screen: name the outermost elements that stick out.
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= width + 1 || r.width === 0) continue;
      if (wide.some((w) => w.contains(el))) continue;
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox !== 'visible' && ox !== '') {
          clipped = true;
          break;
        }
      }
      if (!clipped) wide.push(el);
      if (wide.length >= 3) break;
    }
    const names = wide.map((el) => {
      const cls = el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} (${Math.round(el.getBoundingClientRect().right)} px)`;
    });
    found.push(`wider than the screen: ${document.documentElement.scrollWidth} px > ${width} px: ${names.join(', ')}`);
  }

  // A table that scrolls sideways inside its box on a phone should have become cards.
  for (const table of document.body.querySelectorAll('table')) {
    if (!visible(table)) continue;
    const box = table.parentElement.getBoundingClientRect();
    if (table.scrollWidth > Math.min(box.width, width) + 1) {
      found.push(`table wider than the screen (${table.scrollWidth} px), not cards: ${table.dataset.testid || table.className || 'table'}`);
    }
  }

  // Tap targets a finger can hit: buttons, fields, choices and button-like links at least 44 px
  // high (a box to tick counts with its label when the label holds it).
  const small = [];
  for (const el of document.body.querySelectorAll('button,input:not([type=hidden]),select,a.button,[role=button]')) {
    if (!visible(el)) continue;
    let box = el.getBoundingClientRect();
    if (el.matches('input[type=checkbox],input[type=radio]')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) box = label.getBoundingClientRect();
    }
    if (box.height < 43.5 || box.width < 24) {
      const what = el.getAttribute('name') || el.textContent.trim().slice(0, 20) || el.getAttribute('type') || el.tagName;
      small.push(`${el.tagName.toLowerCase()} "${what}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  if (small.length) found.push(`tap targets under 44 px: ${small.slice(0, 4).join('; ')}${small.length > 4 ? ` and ${small.length - 4} more` : ''}`);
  return found;
}

/** The same-origin pages a page links to. */
async function linksOf(page, origin) {
  const hrefs = await page.$$eval('a[href]', (as) =>
    as.filter((a) => !a.hasAttribute('download')).map((a) => a.href),
  );
  return hrefs
    .map((h) => {
      try {
        const u = new URL(h);
        u.hash = '';
        return u;
      } catch {
        return null;
      }
    })
    .filter((u) => u && u.origin === origin && !SKIP.some((re) => re.test(u.pathname + u.search)))
    .map((u) => u.href);
}

async function axeFindings(page) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')), count: v.nodes.length }));
  });
  return violations.map((v) => `axe ${v.impact} ${v.id} (${v.count}): ${v.targets.join(', ')}`);
}

/** Crawls one role's pages; returns { visited, failures: Map(url → [finding]) }. */
async function crawl(role, lang, deadline) {
  const context = await env.browser.newContext({ ...PHONE, baseURL: env.server.baseURL, locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('response', (r) => {
    const req = r.request();
    if (r.status() >= 400 && req.resourceType() !== 'document' && new URL(r.url()).pathname !== '/favicon.ico') {
      problems.push(`${r.status()} ${req.method()} ${new URL(r.url()).pathname}`);
    }
  });
  // An account keeps the language it last chose: switch with the header's button.
  await login(page, role);
  if (lang === 'en' && (await page.getAttribute('html', 'lang')) !== 'en') {
    await page.locator('form[action="/lang"] button[type=submit]').first().click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  }
  assert.equal(await page.getAttribute('html', 'lang'), lang === 'zh' ? 'zh-CN' : 'en');
  const origin = new URL(env.server.baseURL).origin;
  const queue = [page.url()];
  const queued = new Set(queue);
  const from = new Map();
  const shapes = new Map();
  const paths = new Map();
  const take = (map, key, most) => {
    if ((map.get(key) || 0) >= most) return false;
    map.set(key, (map.get(key) || 0) + 1);
    return true;
  };
  const room = (url) =>
    (shapes.get(shapeOf(url)) || 0) < PER_SHAPE && (paths.get(new URL(url).pathname.replace(/\d+/g, '{}')) || 0) < PER_PATH;
  const failures = new Map();
  let visited = 0;
  while (queue.length && visited < PAGES_PER_ROLE && Date.now() < deadline) {
    const url = queue.shift();
    const shape = shapeOf(url);
    if (!room(url)) continue;
    take(shapes, shape, PER_SHAPE);
    take(paths, new URL(url).pathname.replace(/\d+/g, '{}'), PER_PATH);
    problems.length = 0;
    let response;
    try {
      response = await page.goto(url, { waitUntil: 'load' });
    } catch (e) {
      failures.set(url, [`did not open: ${e.message.split('\n')[0]}`]);
      continue;
    }
    visited++;
    if (process.env.GRIDWATCH_CRAWL_LOG) console.log(`${lang} ${role} ${new URL(url).pathname}${new URL(url).search}`);
    const found = [];
    const status = response?.status() ?? 0;
    // A link a role is shown should lead somewhere it may go.
    if (status >= 400) found.push(`answered ${status} (linked from ${from.get(url) || 'the sign-in'})`);
    // htmx sections that load on their own have had their chance to arrive (a page that polls
    // never falls quiet, so no waiting for the network to).
    await page
      .waitForFunction(() => !document.querySelector('.htmx-request'), null, { timeout: 2_000, polling: 100 })
      .catch(() => {});
    const path = new URL(page.url()).pathname;
    if (new URL(page.url()).origin === origin && !path.startsWith('/login')) {
      found.push(...(await page.evaluate(inspectPage, { lang, skipWords: ROLES })));
      if (!axeChecked.has(`${lang} ${shape}`)) {
        axeChecked.add(`${lang} ${shape}`);
        found.push(...(await axeFindings(page)));
      }
      for (const next of await linksOf(page, origin)) {
        if (queued.has(next) || !room(next)) continue;
        queued.add(next);
        from.set(next, new URL(url).pathname + new URL(url).search);
        queue.push(next);
      }
    }
    found.push(...problems);
    const name = `crawl-${lang}-${role}-${visited}`;
    await screenshot(page, name).catch(() => {});
    if (found.length) failures.set(new URL(url).pathname + new URL(url).search, found);
  }
  await context.close();
  return { visited, failures, unvisited: queue.length };
}

function format(results) {
  const lines = [];
  for (const [role, r] of results) {
    for (const [url, found] of r.failures) {
      lines.push(`${role} ${url}`);
      for (const f of found) lines.push(`    ${f}`);
    }
  }
  return lines.join('\n');
}

async function crawlAll(lang, share) {
  const results = new Map();
  // A share of the whole budget, and never less than a quarter of it from now: the English
  // crawl still runs when the Chinese one used its time up on a slow machine.
  const end = Math.max(started + BUDGET_MS * share, Date.now() + BUDGET_MS / 4);
  for (let i = 0; i < ROLES.length; i++) {
    const role = ROLES[i];
    // Each role gets an even share of the time that is left.
    const deadline = Date.now() + (end - Date.now()) / (ROLES.length - i);
    results.set(role, await crawl(role, lang, deadline));
  }
  const summary = [...results].map(([role, r]) => `${role} ${r.visited}${r.unvisited ? ` (+${r.unvisited} left)` : ''}`).join(', ');
  console.log(`${lang}: pages opened per role: ${summary}`);
  return results;
}

test('every page each role can reach reads well on a phone in Chinese', { timeout: BUDGET_MS + 120_000 }, async () => {
  const results = await crawlAll('zh', 0.75);
  const total = [...results.values()].reduce((n, r) => n + r.visited, 0);
  assert.ok(total >= ROLES.length * 3, `the crawl opened only ${total} pages`);
  const report = format(results);
  assert.equal(report, '', `pages with problems:\n${report}`);
});

test('every page reads well in English too: no missing English text, width and accessibility', { timeout: BUDGET_MS + 120_000 }, async () => {
  const results = await crawlAll('en', 1);
  const report = format(results);
  assert.equal(report, '', `pages with problems:\n${report}`);
});
