import { test } from 'node:test';
import assert from 'node:assert/strict';

// api.js runs in a tab: give it the tab's storage, events and fetch.
class Storage {
  constructor() { this.m = new Map(); }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
  removeItem(k) { this.m.delete(k); }
}
globalThis.sessionStorage = new Storage();
globalThis.window = new EventTarget();
const { request, token } = await import('../../src/api.js');

// The server as this test scripts it: each call answers with the next of `answers`.
function serve(...answers) {
  const sent = [];
  globalThis.fetch = async (url, init) => {
    sent.push({ url, auth: init.headers.authorization ?? null });
    const [status, body] = answers.shift();
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return sent;
}
const refusal = (code, message) => ({ error: { code, message } });

// CI, 2026-11-30: a background read found the token revoked and signed the
// tab out; the coordinator's save, sent next with no token, was refused as
// the public's (403) and the page said "only the coordinator changes or
// submits the daily plan" to the coordinator.
test('an action sent after a background read found the session ended says signed out, not forbidden', async () => {
  token.set('tok-1');
  const sent = serve(
    [401, refusal('unauthorized', 'the token was revoked')],
    [403, refusal('forbidden', 'only the coordinator changes or submits the daily plan')],
  );
  await assert.rejects(request('GET', '/plans/2026-12-02'), (e) => e.status === 401 && /You are signed out/.test(e.message));
  assert.equal(token.get(), null, 'the tab is signed out');
  await assert.rejects(request('PUT', '/plans/2026-12-02', { body: {} }), (e) => /You are signed out/.test(e.message));
  assert.deepEqual(sent.map((s) => s.auth), ['Bearer tok-1', null]);
});

test('the public, never signed in here, is told the server’s own refusal', async () => {
  sessionStorage.m.clear();
  serve([403, refusal('forbidden', 'only the coordinator changes or submits the daily plan')]);
  await assert.rejects(request('PUT', '/plans/2026-12-02', { body: {} }), (e) => e.status === 403 && /only the coordinator/.test(e.message));
});

test('a signed-in user refused for the role is told why, and stays signed in', async () => {
  token.set('tok-2');
  serve([403, refusal('forbidden', 'only the coordinator changes or submits the daily plan')]);
  await assert.rejects(request('PUT', '/plans/2026-12-02', { body: {} }), (e) => e.status === 403 && /only the coordinator/.test(e.message));
  assert.equal(token.get(), 'tok-2');
});

// Review of that fix: two requests sent with the token as it was revoked.
// The first answer signs the tab out; the second, answered 401 after it,
// showed the server's words instead of saying signed out.
test('a second request answered after the first signed the tab out says signed out too', async () => {
  sessionStorage.m.clear();
  token.set('tok-3');
  let answer;
  const held = new Promise((r) => { answer = r; });
  let calls = 0;
  globalThis.fetch = async () => {
    calls += 1;
    const body = JSON.stringify(refusal('unauthorized', 'the token was revoked'));
    if (calls === 2) await held;
    return new Response(body, { status: 401, headers: { 'content-type': 'application/json' } });
  };
  const first = request('GET', '/corridor');
  const second = request('PUT', '/plans/2026-12-02', { body: {} });
  await assert.rejects(first, (e) => /You are signed out/.test(e.message));
  answer();
  await assert.rejects(second, (e) => e.status === 401 && /You are signed out/.test(e.message));
});
