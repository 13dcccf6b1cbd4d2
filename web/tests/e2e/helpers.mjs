// What every browser test shares: the server's address, Debian's Chromium,
// the two screen sizes, and a page that collects console errors so a test
// can assert there were none.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.CORRIDOR_URL;
if (!BASE) throw new Error('CORRIDOR_URL is not set: run these tests with web/run-e2e.sh');
const here = path.dirname(fileURLToPath(import.meta.url));
export const OUT = path.join(here, '../../test-results');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];
export const VIEWPORTS = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } };
// Endpoints a server may not have (no live feed, no clearance store). The
// page asks, gets 404 and says "not available yet"; Chromium logs that 404
// as a console error, which is the only console error allowed.
const LATER = /\/api\/v1\/(geometry|live|vessels\/live|tracks|alerts|queue|accountability|corridor|clearance|plans|inspections)(\/|\?|$)/;

let browser;

export async function startBrowser() {
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export async function stopBrowser() {
  await browser?.close();
}

export const api = async (p, init) => {
  const res = await fetch(new URL(`/api/v1${p}`, BASE), init);
  assert.equal(res.status, 200, `GET ${p}`);
  return res.json();
};
export const num = (text) => Number(String(text).replace(/[,\s]/g, '').replace(/t$/, ''));
export const fmt = (t) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 }).format(t);

/**
 * A page in a browser context of its own (its own session: a signed-in
 * user in one context is unknown to the others), whose console errors and
 * uncaught exceptions are collected; `done()` closes it and asserts none.
 * `allow404` and `allow4xx` name the URLs whose refusals are expected.
 */
export async function open(viewport = 'desktop', route = '/', { allow404 = null, allow4xx = null } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], acceptDownloads: true, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  const missing = new Set();
  page.on('response', (r) => {
    // A later endpoint may also be there but closed to the public (401/403).
    if ((r.status() === 404 && (LATER.test(r.url()) || allow404?.test(r.url()))) || ([401, 403].includes(r.status()) && LATER.test(r.url()))) missing.add(r.url());
    // A refusal the test provokes on purpose (a wrong password, a bad key).
    if (r.status() >= 400 && r.status() < 500 && allow4xx?.test(r.url())) missing.add(r.url());
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url || '';
    if (/Failed to load resource/.test(m.text()) && missing.has(url)) return;
    errors.push(`console: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText || '';
    if (!/ERR_ABORTED/.test(why)) errors.push(`request failed: ${r.url()} ${why}`);
  });
  await page.goto(new URL(route, BASE).href);
  const done = async () => {
    await context.close();
    assert.deepEqual(errors, [], 'no console errors');
  };
  return { page, context, errors, done };
}

export const PASSWORD = 'corridor-demo';

/** Signs `username` in on `page` through the sign-in screen (the demo's password unless given). */
export async function signIn(page, username, password = PASSWORD) {
  await page.goto(new URL('/#/login', page.url()).href);
  await page.fill('#login-user', username);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#signed-in');
}

/** A signed-in user's bearer token, for asking the API as them. */
export async function tokenOf(page) {
  return page.evaluate(() => sessionStorage.getItem('corridor.token'));
}

/**
 * Asserts that every visible control on the page has a label and that all
 * visible text reaches WCAG AA contrast; `what` names the screen.
 */
export async function assertAccessible(page, what) {
  const unlabelled = await page.$$eval('input, select, textarea, button', (els) => els
    .filter((e) => e.type !== 'hidden' && !e.closest('[hidden]'))
    .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent.trim()) || e.title))
    .map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, [], `${what}: unlabelled controls`);
  const lowContrast = await page.evaluate(contrastFailures);
  assert.deepEqual(lowContrast, [], `${what}: text below WCAG AA contrast`);
}

// Runs in the page: text elements whose colour on their background is
// below 4.5:1 (3:1 for large text). Backgrounds are the nearest opaque one.
// Disabled controls are exempt (WCAG 1.4.3: inactive components).
export function contrastFailures() {
  const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const blend = (fg, bg) => {
    const a = fg[3] ?? 1;
    return [0, 1, 2].map((i) => fg[i] * a + bg[i] * (1 - a));
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length && (c[3] ?? 1) > 0) layers.push(c);
      if (c.length && (c[3] ?? 1) === 1) break;
    }
    return layers.reduceRight((acc, c) => blend(c, acc), [255, 255, 255]);
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    seen.add(el);
    if (el.closest('svg, .maplibregl-canvas-container, [hidden], .visually-hidden, .skip, noscript, :disabled')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0 || !el.getClientRects().length) continue;
    const bg = background(el);
    const fg = blend(parse(cs.color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(`${el.tagName.toLowerCase()}.${el.className} "${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
  }
  return out;
}

// ---- the clearance API, asked directly (to set a scene, and to check
// what a screen did against what the server holds) ----

/** A user's bearer token from the API itself (no browser). */
export async function apiToken(username, password = PASSWORD) {
  const res = await fetch(new URL('/api/v1/auth/login', BASE), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, label: 'e2e' }),
  });
  assert.equal(res.status, 200, `login ${username}`);
  return (await res.json()).token;
}

/** `method path` as `token`'s user; the JSON answer, asserting a 2xx. */
export async function apiAs(token, method, p, body) {
  const headers = { authorization: `Bearer ${token}` };
  let payload;
  if (body instanceof Uint8Array) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(new URL(`/api/v1${p}`, BASE), { method, headers, body: payload });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

let imoSeq = Math.floor(Math.random() * 400000);
/** An IMO number no other test uses (a vessel is in one live application at a time). */
export function freshImo() {
  imoSeq += 1;
  const six = String(500000 + (imoSeq % 400000)).padStart(6, '0');
  const check = [...six].reduce((s, d, i) => s + Number(d) * (7 - i), 0) % 10;
  return `${six}${check}`;
}

/** A document's bytes as the tests attach it (a PDF by its content). */
export const pdf = (kind, id) => Buffer.from(`%PDF-1.4 ${kind} for ${id} (e2e)\n`);

const REQUIRED = ['port_entry_request', 'crew_list', 'cargo_manifest', 'stowage_plan', 'registry_certificate'];
const STAGES = ['draft', 'under_review', 'approved', 'inspection_passed'];

/**
 * An application of `agent`'s (by default agent-danube's: the other tests use agent-navistar's own) made through the API and taken to `stage`
 * (draft with its documents, under_review, approved by the four parties
 * signing with their demo keys, inspection_passed); {id, token, name}.
 */
export async function applicationAt(stage, { agent = 'agent-danube', name = `E2E ${stage.toUpperCase()}`, portCalls = [] } = {}) {
  const { importSigningKey, signDecision } = await import('../../src/sign.js');
  const { readFile } = await import('node:fs/promises');
  const upto = STAGES.indexOf(stage);
  assert.ok(upto >= 0, `a stage: ${STAGES.join(', ')}`);
  const token = await apiToken(agent);
  const content = {
    vessel: { imo: freshImo(), name, flag: 'MT', mmsi: null, deadweight_tonnes: 58000 },
    itinerary: { port: 'UAODS', from_port: 'TRIST', to_port: 'EGALY', destination_country: 'EG' },
    cargo: [{ commodity: 'wheat', tonnes: 52000 }],
    crew_count: 21,
    passenger_count: 0,
    last_port_calls: portCalls,
    eta_inspection_area: `${new Date(Date.now() + 72 * 3600e3).toISOString().slice(0, 19)}Z`,
    documents: [],
  };
  const { id } = await apiAs(token, 'POST', '/applications', { content });
  for (const kind of REQUIRED) {
    await apiAs(token, 'POST', `/applications/${id}/documents?kind=${kind}&filename=${kind}.pdf`, new Uint8Array(pdf(kind, id)));
  }
  if (upto >= 1) {
    await apiAs(token, 'POST', `/applications/${id}/submit`);
    await apiAs(await apiToken('coordinator'), 'POST', `/applications/${id}/review`);
  }
  if (upto >= 2) {
    const keys = process.env.CORRIDOR_E2E_KEYS;
    for (const party of ['RU', 'TR', 'UA', 'UN']) {
      await decide(id, party, { kind: 'approve' }, await importSigningKey(await readFile(path.join(keys, `${party}.key.pem`), 'utf8')), signDecision);
    }
  }
  if (upto >= 3) {
    // A team boards only a vessel its agent has declared ready.
    await apiAs(token, 'POST', `/applications/${id}/readiness`, { holds_ventilated: true, gas_free: true, testing_equipment_aboard: true, documents_complete: true });
    const coordinator = await apiToken('coordinator');
    // There before its ETA: recorded, so it can be booked now.
    await apiAs(coordinator, 'POST', `/applications/${id}/arrival`, { at: `${new Date(Date.now() - 60e3).toISOString().slice(0, 19)}Z`, area: 'Inspection Area Marmara', evidence: 'seen at anchor (test)' });
    await apiAs(coordinator, 'POST', `/applications/${id}/inspection/schedule`, { at: `${new Date(Date.now() + 3600e3).toISOString().slice(0, 19)}Z` });
    const checklist = (await api('/corridor')).inspection_checklist.map((i) => i.id);
    await apiAs(await apiToken('inspector'), 'POST', `/applications/${id}/inspection`, { outcome: { result: 'passed' }, checked: checklist });
  }
  const status = (await apiAs(token, 'GET', `/applications/${id}/status`)).status;
  assert.equal(status, stage, `${id} taken to ${stage}`);
  return { id, token, name };
}

/** `party`'s delegate records a decision signed with the party's demo key. */
export async function partyDecides(id, party, decision) {
  const { importSigningKey, signDecision } = await import('../../src/sign.js');
  const { readFile } = await import('node:fs/promises');
  const key = await importSigningKey(await readFile(path.join(process.env.CORRIDOR_E2E_KEYS, `${party}.key.pem`), 'utf8'));
  return decide(id, party, decision, key, signDecision);
}

async function decide(id, party, decision, key, signDecision) {
  const token = await apiToken(`${party.toLowerCase()}-delegate`);
  const app = await apiAs(token, 'GET', `/applications/${id}`);
  const signed = await signDecision({ party, applicationId: id, applicationHash: app.content_hash, decision }, key);
  return apiAs(token, 'POST', `/applications/${id}/decisions`, signed);
}
