import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awayText, daysText, stoppageText, waitingText } from '../../src/screens/queue.js';

// The queue's "waiting since" is a day on the centre's clock.
test('a vessel waiting since the centre’s today is not shown as arriving', () => {
  // 00:30 in Istanbul on 15 Jun is 21:30 UTC on 14 Jun.
  const asOf = '2023-06-14T21:30:00Z';
  assert.equal(waitingText('2023-06-15', asOf, 'Europe/Istanbul'), '15 Jun 2023');
  assert.equal(waitingText('2023-06-14', asOf, 'Europe/Istanbul'), '14 Jun 2023');
  assert.equal(waitingText('2023-06-16', asOf, 'Europe/Istanbul'), 'arrives 16 Jun 2023');
  // On a UTC clock the same instant is still the 14th.
  assert.equal(waitingText('2023-06-15', asOf, 'UTC'), 'arrives 15 Jun 2023');
  // Midday: both clocks agree.
  assert.equal(waitingText('2023-06-15', '2023-06-15T09:00:00Z', 'Europe/Istanbul'), '15 Jun 2023');
  assert.equal(waitingText('', asOf, 'Europe/Istanbul'), '');
  assert.equal(waitingText('2023-06-15', null, 'Europe/Istanbul'), '15 Jun 2023', 'no as_of: the day as given');
});

// A stoppage says what it stops, in words, as /queue gives it.
test('a stoppage reads as the days and what stops', () => {
  const gale = { kind: 'weather', every_team: true, stops: ['JIT-1', 'JIT-2', 'JIT-3'], absent: [] };
  assert.equal(stoppageText(gale), 'no inspections: weather');
  const ru = { kind: 'party_absent', every_team: false, stops: ['JIT-2'], absent: ['RU'] };
  assert.equal(stoppageText(ru), 'JIT-2 stops (RU absent): delegation absent');
  const two = { kind: 'other', every_team: false, stops: ['JIT-2', 'JIT-3'], absent: [] };
  assert.equal(stoppageText(two), 'JIT-2, JIT-3 stop: stoppage');
  assert.equal(stoppageText({ kind: 'day_off', every_team: false, stops: [], absent: [] }), 'fewer teams: day off');
  // Open finding 64: each day its own teams, when they differ.
  const fog = { kind: 'weather', every_team: false, stops: ['JIT-2', 'JIT-3', 'JIT-1'], absent: [],
    days: [{ date: '2022-10-07', stops: ['JIT-2', 'JIT-3'] }, { date: '2022-10-08', stops: ['JIT-1'] }] };
  assert.equal(stoppageText(fog), '7 Oct 2022: JIT-2, JIT-3 stop; 8 Oct 2022: JIT-1 stops: weather');
  assert.equal(daysText('2026-12-02', '2026-12-02'), '2 Dec 2026');
  assert.equal(daysText('2026-12-02', '2026-12-04'), '2 Dec 2026 – 4 Dec 2026');
});

// From a review of the public's view (session 27): vessels tracking saw
// leave the inspection area stayed on the board as if waiting there.
test('a vessel that left the inspection area uninspected is said to have left', () => {
  assert.equal(awayText({ away: true, now_at: { place: 'Port of Pivdennyi approach' } }), 'left the inspection area: now at Port of Pivdennyi approach');
  assert.equal(awayText({ away: true, now_at: { place: 'outside the corridor' } }), 'left the inspection area: now outside the corridor');
  assert.equal(awayText({ away: true }), 'left the inspection area');
  assert.equal(awayText({ now_at: { place: 'Inspection Area Marmara' } }), '');
});

// From a review of session 27's fixes: the dashboard saved downloads under
// names of its own, not the server's, and wrote Türkiye as T-rkiye.
test('a download is named as the server names it, in any script', async () => {
  const { filename } = await import('../../src/screens/movements.js');
  assert.equal(filename({ from: '2022-10-01', country: 'Türkiye', port: 'Odesa' }, 'csv'), 'corridor-voyages-2022-10-01-to-end-port-Odesa-country-Türkiye.csv');
  assert.equal(filename({ until: '2022-12-31', port: 'Odesa' }, 'json'), 'corridor-voyages-start-to-2022-12-31-port-Odesa.json');
  assert.equal(filename({}, 'json'), 'corridor-voyages-all.json');
  assert.equal(filename({ commodity: 'Sunflower meal', status: 'inspected' }, 'csv'), 'corridor-voyages-all-commodity-Sunflower-meal-status-inspected.csv');
});
