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
