// Stoppages on the public queue board: a day off or a stoppage the
// coordinator declares shows on the board, in the centre's days, with what
// it stops and why, and goes once it is lifted; the predictions the board
// shows are the server's, which step over it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, CENTRE_TIME_ZONE, dayIn } from '../../src/format.js';
import { daysText } from '../../src/screens/queue.js';
import { api, apiAs, apiToken, open, startBrowser, stopBrowser } from './helpers.mjs';

before(startBrowser);
after(stopBrowser);

test('a declared stoppage shows on the public queue board until it is lifted', async () => {
  const coordinator = await apiToken('coordinator');
  const day = addDays(dayIn(CENTRE_TIME_ZONE), 5);
  const reason = `E2E gale warning ${Date.now()}`;
  const s = await apiAs(coordinator, 'POST', '/stoppages', { from: day, to: day, kind: 'weather', reason });
  try {
    const { page, done } = await open('desktop', '/#/queue');
    const item = `#queue-stoppages li[data-id="${s.id}"]`;
    await page.waitForSelector(item, { timeout: 15000 });
    const text = await page.textContent(item);
    assert.ok(text.startsWith(daysText(day, day)), text);
    assert.ok(text.includes('no inspections: weather') && text.includes(reason), text);
    // The board's list is /queue's.
    const q = await api('/queue');
    const shown = await page.$$eval('#queue-stoppages li', (lis) => lis.map((li) => li.dataset.id));
    assert.deepEqual(shown, q.stoppages.map((x) => x.id));
    assert.ok(q.entries.every((e) => e.predicted !== day), 'no prediction on the stopped day');
    await apiAs(coordinator, 'POST', `/stoppages/${s.id}/lift`, { reason: 'E2E: the warning was withdrawn' });
    await page.waitForSelector(item, { state: 'detached', timeout: 15000 });
    await done();
  } finally {
    // Lifted once only; a second try is refused, which is fine here.
    await fetch(new URL(`/api/v1/stoppages/${s.id}/lift`, process.env.CORRIDOR_URL), {
      method: 'POST', headers: { authorization: `Bearer ${coordinator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'E2E clean-up' }),
    });
  }
});
