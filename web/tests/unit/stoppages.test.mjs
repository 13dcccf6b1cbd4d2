import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stoppageProblems, stoppageRequest, stoppageState } from '../../src/screens/stoppages.js';

test('a stoppage is asked for as the server takes it', () => {
  // Parties ticked, then the kind changed: only party_absent names them.
  assert.deepEqual(stoppageRequest({ from: '2031-03-02', to: '2031-03-03', kind: 'weather', absent: ['RU'], teams: '', reason: ' gale ' }),
    { from: '2031-03-02', to: '2031-03-03', kind: 'weather', absent: [], reason: 'gale' });
  assert.deepEqual(stoppageRequest({ from: '2031-03-02', to: '2031-03-02', kind: 'party_absent', absent: ['RU', 'UA'], teams: '1', reason: 'away' }),
    { from: '2031-03-02', to: '2031-03-02', kind: 'party_absent', absent: ['RU', 'UA'], teams: 1, reason: 'away' });
  assert.equal(stoppageRequest({ from: '2031-03-02', to: '', kind: 'day_off', reason: 'x' }).to, '2031-03-02', 'one day when no last day is given');
  assert.equal(stoppageRequest({ from: '2031-03-02', to: '2031-03-02', kind: 'day_off', teams: '0', reason: 'x' }).teams, 0, 'a cap of 0 is a cap');
});

test('the form stops only what is wrong on its face; a party_absent without a party is the server’s to refuse', () => {
  const ok = { from: '2031-03-02', to: '2031-03-02', kind: 'party_absent', absent: [], reason: 'away' };
  assert.deepEqual(stoppageProblems(ok), []);
  const fields = (b) => stoppageProblems(b).map((p) => p.field);
  assert.deepEqual(fields({ ...ok, from: '', to: '' }), ['from', 'to']);
  assert.deepEqual(fields({ ...ok, from: '2031-02-30' }), ['from'], 'not a real day');
  assert.deepEqual(fields({ ...ok, to: '2031-03-01' }), ['to'], 'before the first day');
  assert.deepEqual(fields({ ...ok, reason: '' }), ['reason']);
  assert.deepEqual(fields({ ...ok, teams: 1.5 }), ['teams']);
  assert.deepEqual(fields({ ...ok, teams: -1 }), ['teams']);
  assert.deepEqual(fields({ ...ok, teams: 0 }), []);
});

test('a stoppage says whether it is in force, or who lifted it and why', () => {
  assert.equal(stoppageState({ in_force: true, lifted: null }), 'In force');
  const s = stoppageState({ in_force: false, lifted: { by: 'user:coordinator', at: '2031-03-01T09:00:00Z', reason: 'calm again' } });
  assert.equal(s, 'Lifted by coordinator, 1 Mar 2031 12:00 UTC+3: calm again');
});
