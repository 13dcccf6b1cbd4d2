import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAlerts } from '../../src/screens/coordinate.js';

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
