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
