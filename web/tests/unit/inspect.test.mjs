import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayList, slotsById } from '../../src/screens/inspect.js';

// The inspectors' day leaves out a slot the server cancelled (a stoppage
// stopped it), but shows a vessel booked again later the same day.
test('the day’s list leaves out cancelled slots and keeps the plan’s order', () => {
  const zone = 'Europe/Istanbul';
  const date = '2022-10-07';
  const app = (id, at, status = 'awaiting_inspection') => ({ id, status, inspection_at: at });
  const apps = [
    app('A', '2022-10-07T07:15:00Z'), // in the plan
    app('B', '2022-10-07T04:00:00Z'), // in the plan, earlier
    app('C', '2022-10-07T08:45:00Z'), // its slot was stopped
    app('D', '2022-10-07T12:00:00Z'), // cancelled at 04:00, booked again at 12:00 by hand
    app('E', '2022-10-08T04:00:00Z'), // another day
    app('F', null), // scheduled, no time yet
    app('G', '2022-10-07T05:00:00Z', 'inspection_passed'), // not waiting, not in the plan
  ];
  const plan = {
    byId: new Map([['A', { start_at: '2022-10-07T07:15:00Z' }], ['B', { start_at: '2022-10-07T04:00:00Z' }]]),
    cancelled: [
      { application_id: 'C', start_at: '2022-10-07T08:45:00Z', why: 'STOP-1 (weather: gale)' },
      { application_id: 'D', start_at: '2022-10-07T04:00:00Z', why: 'booked again for 2022-10-07T12:00:00Z' },
    ],
  };
  assert.deepEqual(dayList(apps, plan, date, zone).map((a) => a.id), ['B', 'A', 'D', 'F']);
  // Without cancellations C is on the day, scheduled outside the plan.
  assert.deepEqual(dayList(apps, { ...plan, cancelled: [] }, date, zone).map((a) => a.id), ['B', 'A', 'C', 'D', 'F']);
});

// Web review (2026-11-30), finding 5: the list dropped the day's bookings
// by hand from what /inspections gave (team null) and rebuilt them from the
// vessels still awaiting inspection, so one inspected by hand vanished from
// its day. /inspections lists it with how it ended: it stays.
test('a booking by hand that was inspected stays on its day', () => {
  const zone = 'Europe/Istanbul';
  const date = '2022-10-07';
  const apps = [{ id: 'H', status: 'inspection_passed', inspection_at: '2022-10-07T06:00:00Z' }];
  const plan = {
    byId: slotsById([{ application_id: 'H', team: null, start_at: '2022-10-07T06:00:00Z', status: 'inspection_passed' }]),
    cancelled: [],
  };
  assert.deepEqual(dayList(apps, plan, date, zone).map((a) => a.id), ['H']);
});

// From a review of an inspector's day on a phone (session 27): a result
// whose answer was lost was called "not recorded" though the server had it,
// and a reload emptied the form.
test('a result sent without an answer is known to be recorded when it was', async () => {
  const { recordedMeanwhile } = await import('../../src/screens/inspect.js');
  const before = { last_inspection: { recorded_at: '2026-12-01T08:00:00Z' } };
  assert.equal(recordedMeanwhile(before, { last_inspection: { recorded_at: '2026-12-02T05:10:00Z' } }), true);
  assert.equal(recordedMeanwhile(before, before), false, 'the earlier result only');
  assert.equal(recordedMeanwhile({}, { last_inspection: { recorded_at: '2026-12-02T05:10:00Z' } }), true, 'the first result');
  assert.equal(recordedMeanwhile({}, null), false, 'the server did not answer either');
  assert.equal(recordedMeanwhile({}, {}), false);
});

test('what the team typed is kept until the result is recorded', async () => {
  const { drafts } = await import('../../src/screens/inspect.js');
  const mem = new Map();
  const store = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v), removeItem: (k) => mem.delete(k) };
  assert.equal(drafts.read('A-1', store), null);
  drafts.write('A-1', { checks: ['gas_free'], result: 'not_ready', reason_code: 'GAS', text: 'hold 3' }, store);
  assert.deepEqual(drafts.read('A-1', store), { checks: ['gas_free'], result: 'not_ready', reason_code: 'GAS', text: 'hold 3' });
  assert.equal(drafts.read('A-2', store), null, 'one draft per application');
  drafts.clear('A-1', store);
  assert.equal(drafts.read('A-1', store), null);
  mem.set(drafts.key('A-3'), '{not json');
  assert.equal(drafts.read('A-3', store), null, 'a damaged draft is no draft');
});
