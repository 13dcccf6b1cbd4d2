import { chromium } from 'playwright-core';
const BASE = process.env.URL || 'http://127.0.0.1:8080/';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader'];
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const errors = [];
async function shot(page, hash, name, wait = 2500) {
  await page.goto(BASE + hash);
  await page.waitForTimeout(wait);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false });
}
async function login(page, user) {
  await page.goto(BASE + '#/login');
  await page.fill('#login-user', user);
  await page.fill('#login-password', 'corridor-demo');
  await page.click('#login-form button[type=submit]');
  await page.waitForTimeout(1500);
}
const ctx = await b.newContext({ viewport: { width: 1366, height: 900 } });
const page = await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
for (const [h, n] of [['#/', 'overview'], ['#/map', 'map'], ['#/queue', 'queue'], ['#/accountability', 'decisions'], ['#/movements', 'movements']]) await shot(page, h, n, 4000);
await login(page, 'coordinator');
await shot(page, '#/coordinate', 'coordinate', 3000);
const ctx2 = await b.newContext({ viewport: { width: 1366, height: 900 } });
const p2 = await ctx2.newPage();
await login(p2, 'agent-navistar');
await shot(p2, '#/agent', 'agent', 2500);
const ctx3 = await b.newContext({ viewport: { width: 1366, height: 900 } });
const p3 = await ctx3.newPage();
await login(p3, 'ua-delegate');
await shot(p3, '#/review', 'review', 2500);
const ctx4 = await b.newContext({ viewport: { width: 390, height: 844 } });
const p4 = await ctx4.newPage();
await login(p4, 'inspector');
await shot(p4, '#/inspect', 'inspect', 2500);
console.log('errors', JSON.stringify(errors));
await b.close();
