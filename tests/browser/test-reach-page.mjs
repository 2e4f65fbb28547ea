// SPDX-License-Identifier: GPL-3.0-or-later
//
// The reference endpoint's overview page in a real browser (issue #11).
//
// Starts a synthetic municipality and the endpoint over TLS on 127.0.0.1
// (a certificate made on the spot, trusted by this Chromium only through
// its public key), then uses the page as a policy officer would in
// headless Chromium: signs in (first with a wrong token), visits every
// view in Dutch and one in English, picks other periods and teams in the
// filter form, downloads the CSV, reads the JSON, reads every view on a
// 390 px wide screen, and signs out. axe-core checks every view at 1366 and
// 390 px and the sign-in page; any violation fails. Screenshots of every
// view go to $VP_SCREENSHOTS (default _build/browser-screenshots).
//
//   node tests/browser/test-reach-page.mjs
//
// Environment: VP_BUILDDIR (default _build), VP_ENDPOINT,
// VP_DEMO_MUNICIPALITY, VINDPLAATS_LOCALEDIR, VP_SCREENSHOTS, VP_CHROMIUM
// (default the distribution's /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..', '..');
const builddir = path.resolve(top, process.env.VP_BUILDDIR || '_build');
const endpointBin = process.env.VP_ENDPOINT || path.join(builddir, 'sync/endpoint/vindplaats-endpoint');
const demoBin = process.env.VP_DEMO_MUNICIPALITY || path.join(builddir, 'tests/vp-demo-municipality');
const localedir = process.env.VINDPLAATS_LOCALEDIR || path.join(builddir, 'po');
const screenshots = path.resolve(top, process.env.VP_SCREENSHOTS || path.join(builddir, 'browser-screenshots'));
const chromiumBin = process.env.VP_CHROMIUM
  || ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'].find((p) => fs.existsSync(p))
  || '/usr/bin/chromium';
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const VIEWS = ['reach', 'early', 'language', 'interpreter', 'referrals', 'trends'];
const WIDE = { width: 1366, height: 768, deviceScaleFactor: 1 };
const NARROW = { width: 390, height: 844, deviceScaleFactor: 1 };
const TEAM_NAMES = ['Wijkteam Centrum', 'Wijkteam Noord', 'Wijkteam Noord-West', 'Wijkteam Zuid', 'Wijkteam Zuidoost'];

// The whole run must stay short; a hang anywhere ends it with a failure.
const watchdog = setTimeout(() => {
  console.error('# test-reach-page: gave up after 170 s');
  cleanup();
  process.exit(1);
}, 170_000);
watchdog.unref();

const state = {
  tmp: null,
  endpoint: null,
  endpointLog: '',
  base: null,
  token: null,
  browser: null,
  page: null,
  downloads: null,
  session: null, // the session cookie, as the browser holds it after sign-in
  problems: [], // what the page printed to the console, failed loads
  undecided: new Map(), // axe rules that needed a human look, and where
};

function cleanup() {
  if (state.endpoint && state.endpoint.exitCode === null)
    state.endpoint.kill('SIGTERM');
  if (state.tmp)
    fs.rmSync(state.tmp, { recursive: true, force: true });
  state.tmp = null;
}

// However the run ends, the endpoint does not outlive it.
process.on('exit', cleanup);

function url(pathAndQuery) {
  return new URL(pathAndQuery, state.base).href;
}

function waitForListening(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the endpoint did not start within 15 s')), 15_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/^listening on (https:\/\/\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the endpoint exited (${code ?? signal}) before listening`));
    });
  });
}

before(async () => {
  for (const bin of [endpointBin, demoBin])
    assert.ok(fs.existsSync(bin), `${bin} is missing; build first (meson compile -C _build)`);
  fs.mkdirSync(screenshots, { recursive: true });
  state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-browser-'));
  fs.chmodSync(state.tmp, 0o700);
  const db = path.join(state.tmp, 'endpoint.db');
  const cert = path.join(state.tmp, 'cert.pem');
  const key = path.join(state.tmp, 'key.pem');

  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Chromium trusts this one key, and nothing else it would not trust anyway.
  const spkiDer = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'],
    { input: execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']) });
  const spki = createHash('sha256').update(spkiDer).digest('base64');

  state.token = execFileSync(demoBin, ['--db', db, '--municipality', 'GM0363'], { encoding: 'utf8' }).trim();
  assert.match(state.token, /^\S{16,}$/, 'vp-demo-municipality printed a read token');

  const env = { ...process.env, VINDPLAATS_LOCALEDIR: localedir };
  state.endpoint = spawn(endpointBin, ['serve', '--db', db, '--cert', cert, '--key', key,
    '--address', '127.0.0.1', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  state.endpoint.stderr.on('data', (chunk) => { state.endpointLog += chunk; });
  state.base = await waitForListening(state.endpoint);

  const args = [`--ignore-certificate-errors-spki-list=${spki}`, '--lang=nl-NL', '--disable-dev-shm-usage'];
  if (process.getuid && process.getuid() === 0)
    args.push('--no-sandbox');
  state.browser = await puppeteer.launch({ executablePath: chromiumBin, headless: true, args, defaultViewport: WIDE });
  state.page = await state.browser.newPage();
  state.page.setDefaultTimeout(15_000);
  state.page.on('console', (msg) => {
    // A document answered with 4xx is logged as a failed resource; the
    // tests ask for those on purpose and check them. Anything else counts.
    if (msg.type() === 'error' && !/status of (400|401|404)\b/.test(msg.text()))
      state.problems.push(`console: ${msg.text()}`);
  });
  state.page.on('pageerror', (err) => state.problems.push(`page error: ${err.message}`));
  state.page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText ?? '';
    if (reason !== 'net::ERR_ABORTED') // a download ends its navigation that way
      state.problems.push(`failed to load ${req.url()}: ${reason}`);
  });
  state.page.on('request', (req) => {
    // The browser asks for /favicon.ico by itself; the page asks for nothing.
    if (!req.isNavigationRequest() && !req.url().startsWith('data:') && new URL(req.url()).pathname !== '/favicon.ico')
      state.problems.push(`the page loaded a resource: ${req.url()}`);
  });

  state.downloads = path.join(state.tmp, 'downloads');
  fs.mkdirSync(state.downloads);
});

after(async () => {
  clearTimeout(watchdog);
  // Not failures: what axe could not decide by itself, for a human to look at.
  for (const [id, where] of state.undecided)
    console.log(`# axe left for a human to check: ${id} (${where.size} page(s), e.g. ${[...where][0]})`);
  if (state.browser)
    await state.browser.close().catch(() => {});
  const crashed = state.endpoint && state.endpoint.exitCode !== null;
  cleanup();
  if (crashed || /CRITICAL|WARNING|ERROR/.test(state.endpointLog)) {
    console.error('# endpoint log:\n' + state.endpointLog.replace(/^/gm, '#   '));
    if (crashed)
      process.exitCode = 1;
  }
});

// --- helpers --------------------------------------------------------------

async function go(pathAndQuery) {
  return state.page.goto(url(pathAndQuery), { waitUntil: 'load' });
}

async function submit(buttonSelector) {
  const [response] = await Promise.all([
    state.page.waitForNavigation({ waitUntil: 'load' }),
    state.page.click(buttonSelector),
  ]);
  return response;
}

function currentUrl() {
  return new URL(state.page.url());
}

async function runAxe(label) {
  const page = state.page;
  // Evaluated through the DevTools protocol, which the page's CSP (no
  // script at all) does not govern; the page itself stays as served.
  if (!(await page.evaluate(() => typeof window.axe === 'object')))
    await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    return {
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
      })),
      incomplete: r.incomplete.map((v) => v.id),
    };
  });
  for (const id of result.incomplete) {
    if (!state.undecided.has(id))
      state.undecided.set(id, new Set());
    state.undecided.get(id).add(label);
  }
  if (result.violations.length > 0) {
    const lines = [`axe: ${result.violations.length} violation(s) on ${label} (${page.url()})`];
    for (const v of result.violations) {
      lines.push(`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
      for (const n of v.nodes.slice(0, 8)) {
        lines.push(`      target: ${n.target}`);
        lines.push(`      html:   ${n.html.slice(0, 200)}`);
        lines.push(`      ${n.summary.replace(/\n/g, '\n      ')}`);
      }
      if (v.nodes.length > 8)
        lines.push(`      … and ${v.nodes.length - 8} more`);
    }
    assert.fail(lines.join('\n'));
  }
}

async function screenshot(name) {
  await state.page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

// The page scrolls only vertically; wide tables scroll inside their own
// region. On failure, name the elements that stick out.
async function assertNoHorizontalScroll(label) {
  const r = await state.page.evaluate(() => {
    const width = window.innerWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('.scroll, [role=region]') && !el.matches('.scroll, [role=region]'))
        continue;
      const box = el.getBoundingClientRect();
      if (box.right > width + 0.5 && box.width > 0) {
        const id = el.id ? `#${el.id}` : '';
        const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
        out.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(box.right)} "${(el.textContent || '').trim().slice(0, 40)}"`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 12) };
  });
  assert.ok(r.scrollWidth <= r.width,
    `${label}: the page scrolls sideways at ${r.width} px (scrollWidth ${r.scrollWidth}); sticking out:\n  ${r.out.join('\n  ')}`);
}

// Text drawn outside its chart's box is cut off where the reader sees it.
async function assertChartLabelsInside(label) {
  const clipped = await state.page.evaluate(() => [...document.querySelectorAll('main svg')].flatMap((svg) => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter((text) => {
      const b = text.getBoundingClientRect();
      return b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5;
    }).map((text) => `"${text.textContent}" in the chart "${svg.closest('figure')?.querySelector('figcaption')?.textContent ?? ''}"`);
  }));
  assert.deepEqual(clipped, [], `${label}: every chart label lies inside its chart`);
}

// Runs every check, so that one failure does not hide the others, and fails
// with all their messages.
async function checkAll(...checks) {
  const failures = [];
  for (const check of checks) {
    try {
      await check();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length === 1)
    throw failures[0];
  if (failures.length > 1)
    assert.fail(failures.map((e) => e.message).join('\n\n'));
}

async function summary() {
  return state.page.evaluate(() => {
    const h1 = document.querySelector('main h1');
    const next = h1?.nextElementSibling;
    return {
      h1: h1?.textContent.trim() ?? '',
      text: `${h1?.textContent.trim() ?? ''} | ${next && next.tagName === 'P' ? next.textContent.trim() : ''}`,
      figures: [...document.querySelectorAll('main dd, main td')].map((e) => e.textContent.trim()).join('|'),
    };
  });
}

// The structure every view has, whatever its words.
async function assertOverview(view, lang) {
  const page = state.page;
  const u = currentUrl();
  assert.equal(u.pathname, '/');
  assert.equal(u.searchParams.get('view') ?? 'reach', view);
  const s = await page.evaluate(() => {
    const current = [...document.querySelectorAll('nav a[aria-current="page"]')];
    return {
      lang: document.documentElement.lang,
      nav: document.querySelector('nav')?.textContent ?? '',
      navLinks: [...document.querySelectorAll('nav a')].map((a) => new URL(a.href).searchParams.get('view')),
      current: current.map((a) => new URL(a.href).searchParams.get('view')),
      h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
      filters: !!document.querySelector('form#filters[method="get" i] select#period')
        && !!document.querySelector('form#filters select#scope')
        && !!document.querySelector('form#filters [type="submit"]'),
      periodLabelled: !!document.querySelector('label[for="period"]') || !!document.querySelector('select#period')?.closest('label'),
      scopeLabelled: !!document.querySelector('label[for="scope"]') || !!document.querySelector('select#scope')?.closest('label'),
      tables: [...document.querySelectorAll('main table')].map((t) => t.querySelector('caption')?.textContent.trim() ?? ''),
      charts: [...document.querySelectorAll('main svg')].map((svg) => ({
        inFigure: !!svg.closest('figure'),
        named: (svg.getAttribute('role') === 'img' && (svg.getAttribute('aria-label') ?? '').trim() !== '')
          || svg.getAttribute('aria-hidden') === 'true',
      })),
      csv: document.querySelector('a#download-csv')?.getAttribute('href') ?? null,
      signOut: !!document.querySelector('form#sign-out[method="post" i][action="/sign-out"] [type="submit"]'),
    };
  });
  assert.equal(s.lang, lang, 'html lang follows the chosen language');
  assert.match(s.nav, /Trends/, 'the nav names the Trends view');
  assert.deepEqual(s.navLinks, VIEWS, 'the nav links to every view, in order');
  assert.deepEqual(s.current, [view], 'exactly the current view is marked aria-current="page"');
  assert.equal(s.h1.length, 1, 'one h1');
  assert.ok(s.h1[0].length > 0, 'the h1 says something');
  assert.ok(s.filters, 'form#filters (GET) with select#period, select#scope and a submit button');
  assert.ok(s.periodLabelled && s.scopeLabelled, 'both filter selects have a label');
  assert.ok(s.tables.length > 0, 'at least one table');
  assert.ok(s.tables.every((c) => c.length > 0), 'every table has a caption');
  assert.ok(s.charts.every((c) => c.inFigure && c.named), 'every chart is an SVG inside a figure with role="img" and an aria-label');
  if (view === 'trends')
    assert.ok(s.charts.length > 0, 'the trends view has charts');
  assert.ok(s.csv, 'a#download-csv is there');
  const csv = new URL(s.csv, state.base);
  assert.equal(csv.pathname, '/v1/reach');
  assert.equal(csv.searchParams.get('format'), 'csv');
  for (const key of ['period', 'scope'])
    assert.equal(csv.searchParams.get(key), u.searchParams.get(key) ?? (key === 'period' ? 'last12' : 'all'),
      `the CSV link carries the page's ${key}`);
  assert.ok(s.signOut, 'form#sign-out posts to /sign-out');
}

// Clicks a#download-csv and returns the downloaded file as the browser saved it.
async function downloadCsv() {
  const cdp = await state.browser.target().createCDPSession();
  const dir = fs.mkdtempSync(path.join(state.downloads, 'csv-'));
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true });
  let name = null;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the CSV download did not finish within 20 s')), 20_000);
    cdp.on('Browser.downloadWillBegin', (e) => { name = e.suggestedFilename; });
    cdp.on('Browser.downloadProgress', (e) => {
      if (e.state === 'completed') { clearTimeout(timer); resolve(); }
      if (e.state === 'canceled') { clearTimeout(timer); reject(new Error('the CSV download was cancelled')); }
    });
  });
  await state.page.click('a#download-csv');
  await done;
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  await cdp.detach();
  const files = fs.readdirSync(dir);
  assert.equal(files.length, 1, 'one file downloaded');
  return { name, bytes: fs.readFileSync(path.join(dir, files[0])) };
}

function checkCsv(bytes, separator, what) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${what}: starts with a UTF-8 BOM`);
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(!text.includes('\ufffd'), `${what}: valid UTF-8`);
  assert.ok(text.endsWith('\r\n'), `${what}: ends with CRLF`);
  assert.ok(!/[^\r]\n/.test(text), `${what}: every line ends with CRLF`);
  const lines = text.slice(0, -2).split('\r\n');
  assert.ok(lines.length > 1, `${what}: a header and rows`);
  const other = separator === ';' ? ',' : ';';
  const header = lines[0].split(separator);
  assert.ok(header.length >= 5, `${what}: the header is split by "${separator}" (${lines[0]})`);
  assert.ok(!lines[0].includes(other), `${what}: the header has no "${other}"`);
  assert.ok(header.every((h) => h.trim().length > 0), `${what}: no empty header`);
  assert.ok(!/^\d{4}-\d{2}$/.test(header[0]), `${what}: the first line is a header, not data`);
  const months = new Set();
  const teams = new Set();
  for (const line of lines.slice(1)) {
    // A simple split suffices for the first two columns, which are never quoted.
    const cells = line.split(separator);
    assert.match(cells[0], /^\d{4}-\d{2}$/, `${what}: the first column is a month: ${line}`);
    months.add(cells[0]);
    teams.add(cells[1]);
  }
  return { header, lines, months, teams };
}

// --- the tests --------------------------------------------------------------

test('without a session the overview sends the reader to the sign-in form', async () => {
  const response = await go('/?lang=nl');
  const chain = response.request().redirectChain();
  assert.equal(chain.length, 1, 'one redirect');
  assert.equal(chain[0].response().status(), 303);
  assert.equal(currentUrl().pathname, '/sign-in');
  assert.equal(currentUrl().searchParams.get('lang'), 'nl');
  assert.equal(response.status(), 200);
  assert.equal(await state.page.evaluate(() => document.documentElement.lang), 'nl');
  assert.ok(await state.page.$('form#sign-in[method="post" i][action="/sign-in"] input#token[name="token"]'));
  assert.ok(await state.page.$('form#sign-in [type="submit"]'));
  assert.equal(await state.page.$('#sign-in-error'), null, 'no error before trying');
  await screenshot('sign-in-nl-1366');
  await runAxe('the sign-in page (nl, 1366 px)');
});

test('the sign-in page in English, and at 390 px', async () => {
  await go('/sign-in?lang=en');
  assert.equal(await state.page.evaluate(() => document.documentElement.lang), 'en');
  await runAxe('the sign-in page (en, 1366 px)');
  await state.page.setViewport(NARROW);
  try {
    await go('/sign-in?lang=nl');
    await assertNoHorizontalScroll('sign-in at 390 px');
    await screenshot('sign-in-nl-390');
    await runAxe('the sign-in page (nl, 390 px)');
  } finally {
    await state.page.setViewport(WIDE);
  }
});

test('a wrong token is refused with a message, on the form', async () => {
  await go('/sign-in?lang=nl');
  await state.page.type('input#token', 'not-a-real-token-0000000000000000');
  const response = await submit('form#sign-in [type="submit"]');
  assert.equal(response.status(), 401);
  assert.equal(currentUrl().pathname, '/sign-in');
  const s = await state.page.evaluate(() => {
    const error = document.querySelector('#sign-in-error');
    return {
      lang: document.documentElement.lang,
      error: error ? { role: error.getAttribute('role'), text: error.textContent.trim(), shown: error.getClientRects().length > 0 } : null,
      form: !!document.querySelector('form#sign-in input#token'),
    };
  });
  assert.equal(s.lang, 'nl', 'the language is kept');
  assert.ok(s.error, '#sign-in-error is shown');
  assert.equal(s.error.role, 'alert');
  assert.ok(s.error.shown && s.error.text.length > 0, 'the error is visible and says something');
  assert.ok(s.form, 'the form is there to try again');
  const cookies = await state.browser.cookies();
  assert.equal(cookies.filter((c) => c.name === 'vp_session').length, 0, 'no session');
  await screenshot('sign-in-error-nl-1366');
  await runAxe('the sign-in page with its error');
});

test('the right token signs in, with a Secure, HttpOnly, SameSite=Strict session cookie', async () => {
  await go('/sign-in?lang=nl');
  await state.page.type('input#token', state.token);
  const response = await submit('form#sign-in [type="submit"]');
  const chain = response.request().redirectChain();
  assert.equal(chain.length, 1, 'one redirect');
  const redirect = chain[0].response();
  assert.equal(redirect.status(), 303);
  assert.equal(chain[0].method(), 'POST');
  assert.match(redirect.headers()['set-cookie'] ?? '', /vp_session=/);
  assert.equal(response.status(), 200);
  assert.equal(currentUrl().pathname, '/');
  assert.equal(currentUrl().searchParams.get('lang'), 'nl');

  const cookies = (await state.browser.cookies()).filter((c) => c.name === 'vp_session');
  assert.equal(cookies.length, 1, 'one session cookie');
  const c = cookies[0];
  assert.equal(c.secure, true, 'Secure');
  assert.equal(c.httpOnly, true, 'HttpOnly');
  assert.equal(c.sameSite, 'Strict', 'SameSite=Strict');
  assert.equal(c.domain, '127.0.0.1', 'a host-only cookie for this server');
  assert.equal(c.path, '/');
  assert.ok(c.value.length >= 32, 'a long session id');
  assert.ok(!c.value.includes(state.token), 'the session id is not the token');
  assert.equal(await state.page.evaluate(() => document.cookie.includes('vp_session')), false,
    'script cannot read the session');
  state.session = c;
  await assertOverview('reach', 'nl');
});

test('keyboard: the first Tab reaches a visible skip link, which takes focus to the figures', async () => {
  const page = state.page;
  await go('/?view=reach&lang=nl');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const b = a.getBoundingClientRect();
    return { tag: a.tagName, href: a.getAttribute('href') ?? '',
      visible: b.width > 0 && b.height > 0 && b.left >= 0 && b.top >= 0 && b.right <= window.innerWidth };
  });
  assert.equal(skip.tag, 'A', 'the first Tab lands on a link');
  assert.match(skip.href, /^#./, 'a link within the page');
  assert.ok(skip.visible, 'the skip link shows when it has focus');
  await page.keyboard.press('Enter');
  const target = skip.href.slice(1);
  assert.equal(await page.evaluate(() => document.activeElement.id), target, 'focus moved to the target');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate((id) => !!document.activeElement.closest(`#${id}`) && document.activeElement !== document.getElementById(id), target),
    'the next Tab goes on inside the figures');
});

test('every view in Dutch, as a reader clicks through the nav (1366 px), with axe', async (t) => {
  await go('/?lang=nl');
  for (const view of VIEWS) {
    await t.test(view, async () => {
      const link = `nav a[href*="view=${view}&"]`;
      const response = await submit(link);
      assert.equal(response.status(), 200);
      await screenshot(`${view}-nl-1366`);
      await checkAll(
        () => assertOverview(view, 'nl'),
        () => assertChartLabelsInside(`${view} at 1366 px`),
        () => runAxe(`${view} (nl, 1366 px)`));
    });
  }
});

test('every view in Dutch at 390 px: no sideways scrolling, labels inside charts, axe', async (t) => {
  await state.page.setViewport(NARROW);
  try {
    for (const view of VIEWS) {
      await t.test(view, async () => {
        const response = await go(`/?view=${view}&lang=nl`);
        assert.equal(response.status(), 200);
        await screenshot(`${view}-nl-390`);
        await checkAll(
          () => assertOverview(view, 'nl'),
          () => assertNoHorizontalScroll(`${view} at 390 px`),
          () => assertChartLabelsInside(`${view} at 390 px`),
          () => runAxe(`${view} (nl, 390 px)`));
      });
    }
  } finally {
    await state.page.setViewport(WIDE);
  }
});

test('switching to English keeps the view and choices', async (t) => {
  await go('/?view=language&period=last12&scope=group%3ANoord&lang=nl');
  await t.test('1366 px', async () => {
    const response = await submit('header a[hreflang="en"]');
    assert.equal(response.status(), 200);
    const u = currentUrl();
    assert.equal(u.searchParams.get('lang'), 'en');
    assert.equal(u.searchParams.get('scope'), 'group:Noord');
    assert.equal(await state.page.$eval('select#scope', (s) => s.value), 'group:Noord');
    await screenshot('language-en-1366');
    await checkAll(
      () => assertOverview('language', 'en'),
      () => assertChartLabelsInside('language (en) at 1366 px'),
      () => runAxe('language (en, 1366 px)'));
  });
  await t.test('390 px', async () => {
    await state.page.setViewport(NARROW);
    try {
      await go('/?view=language&period=last12&scope=group%3ANoord&lang=en');
      await screenshot('language-en-390');
      await checkAll(
        () => assertOverview('language', 'en'),
        () => assertNoHorizontalScroll('language (en) at 390 px'),
        () => assertChartLabelsInside('language (en) at 390 px'),
        () => runAxe('language (en, 390 px)'));
    } finally {
      await state.page.setViewport(WIDE);
    }
  });
  await t.test('and back to Dutch', async () => {
    await submit('header a[hreflang="nl"]');
    assert.equal(currentUrl().searchParams.get('lang'), 'nl');
    assert.equal(currentUrl().searchParams.get('view'), 'language');
    assert.equal(await state.page.evaluate(() => document.documentElement.lang), 'nl');
  });
});

test('choosing another period in the form', async (t) => {
  await go('/?view=reach&lang=nl');
  const options = await state.page.$$eval('select#period option', (os) => os.map((o) => ({ value: o.value, label: o.textContent.trim() })));
  assert.equal(options[0]?.value, 'last12', 'the last 12 months come first');
  const pick = (re) => options.find((o) => re.test(o.value));
  const choices = [pick(/^\d{4}-Q[1-4]$/), pick(/^\d{4}$/), pick(/^\d{4}-\d{2}$/)];
  assert.ok(choices.every(Boolean), `a quarter, a year and a month to choose from: ${options.map((o) => o.value).join(' ')}`);
  let before_ = await summary();
  for (const choice of choices) {
    await t.test(choice.value, async () => {
      await state.page.select('select#period', choice.value);
      const response = await submit('form#filters [type="submit"]');
      assert.equal(response.status(), 200);
      const u = currentUrl();
      assert.equal(u.searchParams.get('period'), choice.value, 'the URL carries the period');
      assert.equal(u.searchParams.get('view'), 'reach', 'the view is kept');
      assert.equal(u.searchParams.get('lang'), 'nl', 'the language is kept');
      assert.equal(await state.page.$eval('select#period', (s) => s.value), choice.value, 'the choice stays selected');
      await assertOverview('reach', 'nl');
      const now = await summary();
      assert.notEqual(now.text, before_.text, 'the heading or summary names the new period');
      assert.ok(now.text.includes(choice.value.slice(0, 4)), `the summary names the year: ${now.text}`);
      assert.notEqual(now.figures, before_.figures, 'the figures change');
      before_ = now;
    });
  }
});

test('choosing a group and then a single team in the form', async (t) => {
  await go('/?view=reach&period=last12&lang=nl');
  const options = await state.page.$$eval('select#scope option', (os) => os.map((o) => ({ value: o.value, label: o.textContent.trim() })));
  const values = options.map((o) => o.value);
  assert.equal(values[0], 'all');
  for (const v of ['group:Centrum', 'group:Noord', 'group:Zuid', 'team:centrum', 'team:noord', 'team:noord-west', 'team:zuid', 'team:zuidoost'])
    assert.ok(values.includes(v), `select#scope offers ${v}`);
  for (const name of TEAM_NAMES)
    assert.ok(options.some((o) => o.label === name), `the team is listed by its name: ${name}`);

  let before_ = await summary();
  for (const [value, name] of [['group:Zuid', 'Zuid'], ['team:noord-west', 'Noord-West']]) {
    await t.test(value, async () => {
      await state.page.select('select#scope', value);
      const response = await submit('form#filters [type="submit"]');
      assert.equal(response.status(), 200);
      const u = currentUrl();
      assert.equal(u.searchParams.get('scope'), value, 'the URL carries the teams');
      assert.equal(u.searchParams.get('period'), 'last12', 'the period is kept');
      assert.equal(await state.page.$eval('select#scope', (s) => s.value), value, 'the choice stays selected');
      await assertOverview('reach', 'nl');
      const now = await summary();
      assert.notEqual(now.text, before_.text, 'the heading or summary names the new teams');
      assert.ok(now.text.includes(name), `the summary names ${name}: ${now.text}`);
      assert.notEqual(now.figures, before_.figures, 'the figures change');
      before_ = now;
    });
  }
  // The choice survives moving to another view.
  await submit('nav a[href*="view=trends&"]');
  assert.equal(currentUrl().searchParams.get('scope'), 'team:noord-west');
  assert.equal(await state.page.$eval('select#scope', (s) => s.value), 'team:noord-west');
  await assertOverview('trends', 'nl');
});

test('CSV download: BOM, ";" in Dutch, CRLF, a header, months and team names', async () => {
  await go('/?view=reach&period=last12&scope=all&lang=nl');
  const { name, bytes } = await downloadCsv();
  assert.match(name ?? '', /\.csv$/, `a .csv file name (${name})`);
  const csv = checkCsv(bytes, ';', 'Dutch CSV');
  for (const team of TEAM_NAMES)
    assert.ok(csv.teams.has(team), `the CSV has ${team} in the second column`);
  assert.equal(csv.months.size, 12, `twelve months: ${[...csv.months].join(' ')}`);
});

test('CSV download in English uses ","; a single team has only that team', async () => {
  await go('/?view=referrals&period=last12&scope=team%3Azuidoost&lang=en');
  const { bytes } = await downloadCsv();
  const csv = checkCsv(bytes, ',', 'English CSV');
  assert.deepEqual([...csv.teams], ['Wijkteam Zuidoost']);
});

test('JSON for a group: its teams by name, every value within its range', async () => {
  await go('/?view=reach&period=last12&scope=group%3ANoord&lang=nl');
  const csvHref = await state.page.$eval('a#download-csv', (a) => a.href);
  const u = new URL(csvHref);
  u.searchParams.set('format', 'json');
  const response = await state.page.goto(u.href, { waitUntil: 'load' });
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'] ?? '', /^application\/json/);
  const data = await response.json();
  assert.equal(data.municipality, 'GM0363');
  assert.equal(data.scope, 'group:Noord');
  assert.ok(Array.isArray(data.figures) && data.figures.length > 0, 'figures');
  const teams = new Set(data.figures.map((f) => f.team_name));
  assert.deepEqual([...teams].sort(), ['Wijkteam Noord', 'Wijkteam Noord-West']);
  for (const f of data.figures.slice(0, 2000)) {
    assert.match(f.period, /^\d{4}-\d{2}$/);
    assert.ok(f.lo <= f.value && (f.hi === null || f.value <= f.hi), `value within its range: ${JSON.stringify(f)}`);
  }
});

test('an invalid period or team is answered 400 with a message page', async (t) => {
  for (const query of ['/?view=reach&period=2026-13&lang=nl', '/?view=reach&scope=team%3Anobody&lang=en', '/?view=reach&period=last99&lang=nl']) {
    await t.test(query, async () => {
      const response = await go(query);
      assert.equal(response.status(), 400);
      assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
      const s = await state.page.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelector('h1')?.textContent.trim() ?? '',
        message: document.querySelector('[role="alert"]')?.textContent.trim() ?? '',
        back: document.querySelector('main a[href^="/"]')?.getAttribute('href') ?? '',
      }));
      assert.equal(s.lang, new URL(query, state.base).searchParams.get('lang'));
      assert.ok(s.h1.length > 0, 'a heading');
      assert.ok(s.message.length > 0, 'a message with role=alert');
      assert.ok(s.back, 'a way back');
    });
  }
  await runAxe('the message page for an invalid choice');
});

test('sign-out ends the session', async () => {
  await go('/?view=reach&lang=en');
  const response = await submit('form#sign-out [type="submit"]');
  const chain = response.request().redirectChain();
  assert.equal(chain.length, 1);
  assert.equal(chain[0].method(), 'POST');
  assert.equal(chain[0].response().status(), 303);
  assert.equal(currentUrl().pathname, '/sign-in');
  assert.equal(currentUrl().searchParams.get('lang'), 'en', 'the language is kept');
  assert.equal((await state.browser.cookies()).filter((c) => c.name === 'vp_session').length, 0,
    'the browser dropped the cookie');

  let again = await go('/?view=reach&lang=nl');
  assert.equal(again.request().redirectChain()[0]?.response().status(), 303);
  assert.equal(currentUrl().pathname, '/sign-in');

  // The old session id is dead on the server too, not only in this browser.
  assert.ok(state.session, 'signed in before');
  const { name, value, domain, path: cookiePath, secure, httpOnly, sameSite } = state.session;
  await state.browser.setCookie({ name, value, domain, path: cookiePath, secure, httpOnly, sameSite });
  again = await go('/?view=reach&lang=nl');
  assert.equal(again.request().redirectChain()[0]?.response().status(), 303, 'the old session is refused');
  assert.equal(currentUrl().pathname, '/sign-in');
  const json = await go('/v1/reach?format=json&period=last12&scope=all');
  assert.equal(json.status(), 401, 'the export refuses the old session');
});

test('nothing on any page printed an error or loaded a resource', () => {
  assert.deepEqual(state.problems, []);
});
