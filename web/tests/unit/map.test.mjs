import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertKey } from '../../src/screens/map.js';

// Web review (2026-11-30), finding 6: the map's latest alerts were keyed
// by id, which starts again at 1 each run, so an older run's alert took
// the place of a current one with the same id.
test('alerts of two runs with the same id are two alerts', () => {
  const merged = new Map();
  for (const a of [{ id: 1, key: 'run-b:1', kind: 'deviation', open: true }, { id: 1, key: 'run-a:1', kind: 'ais_gap', open: false }]) {
    merged.set(alertKey(a), a);
  }
  assert.equal(merged.size, 2);
  assert.equal(merged.get('run-b:1').open, true);
});
