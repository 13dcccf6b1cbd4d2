import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byAttention, classify, silence, sseParser } from '../../src/live.js';

test('SSE messages split across chunks, with names, comments and CRLF', () => {
  const got = [];
  const feed = sseParser((m) => got.push(m));
  feed(': keep-alive\n\nevent: position\ndata: {"mmsi":1,');
  feed('"lat":41.2,"lon":29.1}\r\n\r\ndata: a\ndata: b\n');
  assert.equal(got.length, 1);
  feed('\n');
  assert.deepEqual(got, [
    { event: 'position', data: '{"mmsi":1,"lat":41.2,"lon":29.1}', id: null },
    { event: 'message', data: 'a\nb', id: null },
  ]);
});

test('positions and alerts are told apart, named or enveloped', () => {
  const pos = [];
  const alerts = [];
  const sink = { onPosition: (p) => pos.push(p.mmsi), onAlert: (a) => alerts.push(a.id) };
  classify('position', { mmsi: 1, lat: 1, lon: 2 }, sink);
  classify('message', { type: 'position', mmsi: 2, lat: 1, lon: 2 }, sink);
  classify('message', { position: { mmsi: 3, lat: 1, lon: 2 } }, sink);
  classify('message', [{ mmsi: 4, lat: 1, lon: 2 }], sink);
  classify('alert', { id: 7, kind: 'deviation', mmsi: 1 }, sink);
  classify('message', { id: 8, kind: 'ais_gap', mmsi: 1, open: true }, sink);
  classify('message', { alert: { id: 9, kind: 'loitering', mmsi: 1 } }, sink);
  classify('message', { mmsi: 5 }, sink); // no position: ignored
  assert.deepEqual(pos, [1, 2, 3, 4]);
  assert.deepEqual(alerts, [7, 8, 9]);
});

test('an acknowledgement is neither a position nor an alert, and a screen without a handler ignores it', () => {
  const seen = [];
  const sink = { onPosition: () => seen.push('position'), onAlert: () => seen.push('alert'), onAcknowledgement: (a) => seen.push(a.key) };
  const ack = { key: 'run-1:42', kind: 'ais_gap', mmsi: 271000042, note: null, by: 'coordinator', at: '2022-10-03T06:00:00Z' };
  classify('acknowledgement', ack, sink);
  classify('acknowledgement', { kind: 'ais_gap' }, sink); // no key: ignored
  assert.deepEqual(seen, ['run-1:42']);
  classify('acknowledgement', ack, { onPosition: () => seen.push('position'), onAlert: () => seen.push('alert') });
  assert.deepEqual(seen, ['run-1:42']);
});

test('a lagged event says how many events were dropped, and is nothing else', () => {
  const seen = [];
  const sink = { onPosition: () => seen.push('position'), onAlert: () => seen.push('alert'), onLagged: (n) => seen.push(`lagged ${n}`) };
  classify('lagged', 37, sink);
  classify('lagged', 'x', sink);
  classify('lagged', 5, { onAlert: () => seen.push('alert') }); // no handler: ignored
  assert.deepEqual(seen, ['lagged 37', 'lagged 0']);
});

test('vessels tracked: deviating, then in the corridor, then the rest, by name', () => {
  const vs = [
    { name: 'BACKGROUND 10', state: 'outside' },
    { name: 'BACKGROUND 2', state: 'outside' },
    { name: 'SEA COMMANDER', state: 'inside' },
    { mmsi: 211000001 },
    { name: 'NAVI STAR', state: 'deviating' },
    { name: 'ARGO', state: 'inside' },
  ];
  assert.deepEqual(vs.sort(byAttention).map((v) => v.name || v.mmsi),
    ['NAVI STAR', 'ARGO', 'SEA COMMANDER', 211000001, 'BACKGROUND 2', 'BACKGROUND 10']);
});

// From a review of the public map (session 27): a vessel silent for 43 h
// was listed "outside 12.7 kn" as if under way now.
test('a vessel that stopped reporting is called silent, against the feed’s clock', () => {
  const latest = '2026-11-29T12:00:00Z';
  assert.equal(silence({ time: '2026-11-29T11:30:00Z' }, latest), '', 'heard half an hour ago');
  assert.equal(silence({ time: '2026-11-29T10:45:00Z' }, latest), 'silent 75 min');
  assert.equal(silence({ time: '2026-11-27T17:00:00Z' }, latest), 'silent 43 h');
  assert.equal(silence({}, latest), '', 'no time: nothing claimed');
  assert.equal(silence({ time: '2026-11-29T10:00:00Z' }, null), '');
});
