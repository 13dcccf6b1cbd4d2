import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtDate, fmtMonth, fmtPct, fmtTonnes, jccDate } from '../../src/format.js';

test('tonnes print exactly, to the kilogram', () => {
  assert.equal(fmtTonnes(31744756), '31,744,756');
  assert.equal(fmtTonnes(2436.99), '2,436.99');
  assert.equal(fmtTonnes(0.001), '0.001');
  assert.equal(fmtTonnes(625169), '625,169');
});

test('dates as given, without a time-zone shift', () => {
  assert.equal(fmtDate('2022-08-01'), '1 Aug 2022');
  assert.equal(jccDate('2023-06-04'), '4-Jun-2023');
  assert.equal(jccDate(null), '');
  assert.equal(fmtMonth('2023-01'), 'Jan 2023');
});

test('shares', () => {
  assert.equal(fmtPct(16167005, 31744756), '50.9');
  assert.equal(fmtPct(1, 0), '0.0');
});
