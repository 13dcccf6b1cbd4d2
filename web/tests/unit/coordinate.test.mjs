import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayRequireInspection, mergeAlerts, moveOf } from '../../src/screens/coordinate.js';

// Web review (2026-11-30), finding 4: the coordinator's table read only the
// newest 500 anomalies, so an open alert older than them dropped out and
// the count could say every alert was acknowledged. The open ones are read
// too, and each alert is listed once.
test('an open alert older than the newest read stays in view, once', () => {
  const alert = (key, start, open) => ({ key, start, open, kind: 'deviation' });
  const latest = [alert('r:3', '2022-10-03T00:00:00Z', false), alert('r:2', '2022-10-02T00:00:00Z', true)];
  const open = [alert('r:2', '2022-10-02T00:00:00Z', true), alert('old:1', '2022-01-01T00:00:00Z', true)];
  assert.deepEqual(mergeAlerts(latest, open).map((a) => a.key), ['r:3', 'r:2', 'old:1']);
});

// Open finding 50: where the corridor inspects on cause, an approved vessel
// cleared on its papers departs without an inspection, and the coordinator
// may require one (a second after a pass) where the server allows it.
test('a vessel cleared on its papers departs; an inspection is required only where the server allows it', () => {
  const app = (status, cleared = false) => ({ id: 'JCC-1', vessel: 'MV A', status, cleared_on_papers: cleared });
  assert.equal(moveOf(app('approved', true))[0], 'depart');
  assert.equal(moveOf(app('approved')), undefined);
  assert.equal(moveOf(app('inspection_passed'))[0], 'depart');
  assert.equal(moveOf(app('in_transit'))[0], 'arrive');
  const may = ['submitted', 'under_review', 'held', 'inspection_passed'].map((s) => mayRequireInspection(app(s)));
  assert.deepEqual(may, [true, true, true, true]);
  assert.equal(mayRequireInspection(app('approved', true)), true);
  for (const s of ['approved', 'awaiting_inspection', 'failed_not_ready', 'in_transit', 'draft', 'closed']) {
    assert.equal(mayRequireInspection(app(s)), false, s);
  }
});
