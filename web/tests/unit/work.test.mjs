import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalText, bookingText, slotText } from '../../src/screens/work.js';
import { fmtDate } from '../../src/format.js';

const fmt = (t) => `<${t}>`;
const app = (arrival) => ({ area_arrival: arrival, content: { eta_inspection_area: '2026-12-02T06:00:00Z' } });

// The agent sees whether the vessel's arrival counts, and from what.
test('an agent sees how the arrival at the inspection area is known', () => {
  const seen = { at: '2026-12-01T05:00:00Z', area: 'Inspection Area Marmara', by: 'system:tracking', evidence: 'ais:run:1' };
  assert.equal(arrivalText(app(seen), { arrival: 'seen' }, fmt), 'seen by AIS: Inspection Area Marmara, <2026-12-01T05:00:00Z>');
  const recorded = { ...seen, by: 'coordinator:1', evidence: 'notice of readiness' };
  assert.equal(arrivalText(app(recorded), null, fmt), 'recorded by the coordinator: Inspection Area Marmara, <2026-12-01T05:00:00Z>');
  assert.equal(arrivalText(app(null), { arrival: 'expected' }, fmt), 'expected (ETA <2026-12-02T06:00:00Z>)');
  assert.match(arrivalText(app(null), { arrival: 'late' }, fmt), /^not seen by its ETA <2026-12-02T06:00:00Z>: it keeps that place/);
  assert.match(arrivalText(app(null), { arrival: 'unconfirmed' }, fmt), /^its ETA <2026-12-02T06:00:00Z> has passed and no arrival is known: it keeps that place until the coordinator records/);
  assert.equal(arrivalText(app(null), { arrival: 'inspected' }, fmt), 'inspected at the area (its place counts from its ETA <2026-12-02T06:00:00Z>)');
  assert.equal(arrivalText(app(null), null, fmt), '—', 'not waiting: nothing to say');
});

// Open finding 63: failed not ready, the agent saw only its place, not
// from when it may be inspected again.
test('an agent sees from when a vessel failed not ready may be inspected again', () => {
  const entry = { place: 3, predicted: '2026-12-05', predicted_earliest: '2026-12-05', predicted_latest: '2026-12-05' };
  assert.equal(slotText(entry), `place 3, predicted ${fmtDate('2026-12-05')}`);
  assert.equal(slotText({ ...entry, requeued_from: '2026-12-04' }),
    `place 3, predicted ${fmtDate('2026-12-05')}; may be inspected again from ${fmtDate('2026-12-04')}`);
});

// From a review of an agent's week (session 27): the agent saw a predicted
// day but never the time its inspection was booked for, nor why the day
// moved once a plan was approved without its vessel declared ready.
test('an agent sees the time booked, or that the plans wait for readiness', () => {
  const fmt = (ts) => `<${ts}>`;
  const app = { inspection_at: '2026-12-02T04:00:00Z' };
  assert.equal(bookingText(app, { booked: '2026-12-02', ready: true }, fmt), 'booked for <2026-12-02T04:00:00Z>');
  assert.match(bookingText({}, { ready: false }, fmt), /^not declared ready: the daily plans take only vessels declared ready/);
  assert.equal(bookingText({}, { ready: false, requeued_from: '2026-12-04' }, fmt), '', 'a re-queue delay is said by the place');
  assert.equal(bookingText({}, { ready: true }, fmt), '');
  assert.equal(bookingText(app, null, fmt), '', 'not waiting');
});

// From a review of an agent's week (session 27): an amendment voided a
// party's hold and its reason vanished from every screen.
test('a hold an amendment voided stays in view until the party decides again', async () => {
  const { earlierDecisionText } = await import('../../src/screens/work.js');
  const fmt = (ts) => `<${ts}>`;
  const held = { party: 'RU', decision: null, before_amendment: { decision: 'hold', reason_code: 'SANCTIONS', reason: 'owner listed' } };
  assert.equal(earlierDecisionText(held, '2026-12-01T10:00:00Z', fmt), 'hold on the version before the amendment of <2026-12-01T10:00:00Z> (SANCTIONS: owner listed)');
  assert.equal(earlierDecisionText({ ...held, decision: 'approve' }, '2026-12-01T10:00:00Z', fmt), '', 'decided again');
  assert.equal(earlierDecisionText({ party: 'UA', decision: null }, null, fmt), '');
  assert.equal(earlierDecisionText({ party: 'UA', decision: null, before_amendment: { decision: 'approve' } }, null, fmt), 'approve on the version before the amendment');
});

// From a review of a delegation's week (session 27): at 21:45 the plan was
// still "due by 16:00" that day, with nothing saying the time had passed;
// and the delegation's screen said 16:00 whatever the centre's deadline.
test('a plan deadline is known to have passed on the centre’s clock', async () => {
  const { deadlinePassed } = await import('../../src/screens/work.js');
  // The plan for 2 Dec is due by 16:00 on 1 Dec, Istanbul (13:00 UTC).
  assert.equal(deadlinePassed('2026-12-02', '16:00', 'Europe/Istanbul', new Date('2026-12-01T12:59:00Z')), false);
  assert.equal(deadlinePassed('2026-12-02', '16:00', 'Europe/Istanbul', new Date('2026-12-01T13:00:00Z')), true);
  assert.equal(deadlinePassed('2026-12-02', '18:00', 'Asia/Aden', new Date('2026-12-01T14:00:00Z')), false);
  assert.equal(deadlinePassed('2026-12-02', undefined, 'Europe/Istanbul', new Date('2026-12-05T00:00:00Z')), false, 'no deadline named');
});
