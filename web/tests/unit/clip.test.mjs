import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipFeatureCollection, clipRing, ringArea } from '../../src/clip.js';

const box = [0, 0, 10, 10];
const square = (x0, y0, x1, y1) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

test('a ring inside the box is kept as it is', () => {
  assert.deepEqual(clipRing(square(1, 1, 2, 2), box), square(1, 1, 2, 2));
});

test('a ring crossing the box is cut at its edges', () => {
  const r = clipRing(square(-5, -5, 5, 5), box);
  assert.equal(Math.abs(ringArea(r)), 25);
  for (const [x, y] of r) assert.ok(x >= 0 && x <= 10 && y >= 0 && y <= 10);
});

test('a ring around the box becomes the box', () => {
  assert.equal(Math.abs(ringArea(clipRing(square(-50, -50, 50, 50), box))), 100);
});

test('a ring outside is dropped, and so is a feature left empty', () => {
  assert.equal(clipRing(square(20, 20, 30, 30), box), null);
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[square(20, 20, 30, 30)], [square(1, 1, 3, 3)]] } }] };
  const out = clipFeatureCollection(fc, box);
  assert.equal(out.features.length, 1);
  assert.equal(out.features[0].geometry.type, 'Polygon');
});

test('coordinates are rounded and repeats dropped', () => {
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[1.00001, 1], [1.00002, 1], [3, 1], [3, 3], [1.00001, 1]]] } }] };
  const ring = clipFeatureCollection(fc, box, 4).features[0].geometry.coordinates[0];
  assert.deepEqual(ring, [[1, 1], [3, 1], [3, 3], [1, 1]]);
});
