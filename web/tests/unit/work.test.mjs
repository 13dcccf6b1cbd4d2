import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalText } from '../../src/screens/work.js';

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
  assert.equal(arrivalText(app(null), null, fmt), '—', 'not waiting: nothing to say');
});
