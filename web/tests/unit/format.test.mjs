import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays, CENTRE_TIME_ZONE, centreZone, dayIn, fmtClock, fmtDate, fmtMonth, fmtPct, fmtTimestamp, fmtTonnes, fmtWorkTime, isDay, jccDate, knownZone,
  learnZone, wallClock, zonedInstant, zoneName,
} from '../../src/format.js';

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

test('timestamps carry their zone: UTC for the record, the centre’s clock for work', () => {
  assert.equal(fmtTimestamp('2023-06-14T04:00:00Z'), '14 Jun 2023 04:00 UTC');
  assert.equal(fmtTimestamp('2023-06-14T04:00:00Z', 'Europe/Istanbul'), '14 Jun 2023 07:00 UTC+3');
  assert.equal(fmtWorkTime('2023-06-14T04:00:00Z'), '14 Jun 2023 07:00 UTC+3');
  // After 21:00 UTC it is the next day in Istanbul.
  assert.equal(fmtWorkTime('2023-06-14T22:30:00Z'), '15 Jun 2023 01:30 UTC+3');
  assert.equal(fmtTimestamp(''), '');
  assert.equal(fmtTimestamp('not a time'), 'not a time');
});

test('the working day is the centre’s: between 00:00 and 03:00 Istanbul, UTC is still yesterday', () => {
  assert.equal(CENTRE_TIME_ZONE, 'Europe/Istanbul');
  assert.equal(dayIn('Europe/Istanbul', new Date('2023-06-14T21:30:00Z')), '2023-06-15');
  assert.equal(dayIn('Europe/Istanbul', new Date('2023-06-14T20:59:00Z')), '2023-06-14');
  assert.equal(dayIn('UTC', new Date('2023-06-14T21:30:00Z')), '2023-06-14');
  assert.equal(addDays('2023-06-30', 1), '2023-07-01');
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2023-12-31', 1), '2024-01-01');
  assert.equal(addDays('2023-01-01', -1), '2022-12-31');
});

test('a clock time in a zone is the instant it names', () => {
  assert.equal(zonedInstant('2023-06-15', '01:30', 'Europe/Istanbul').toISOString(), '2023-06-14T22:30:00.000Z');
  assert.equal(zonedInstant('2023-06-15', '07:00', 'UTC').toISOString(), '2023-06-15T07:00:00.000Z');
  // A zone with summer time: each side of the change.
  assert.equal(zonedInstant('2024-03-30', '12:00', 'Europe/London').toISOString(), '2024-03-30T12:00:00.000Z');
  assert.equal(zonedInstant('2024-03-31', '12:00', 'Europe/London').toISOString(), '2024-03-31T11:00:00.000Z');
  // Round trip: the instant shows the same clock in the zone.
  const w = wallClock(zonedInstant('2023-11-02', '16:00', 'Europe/Istanbul'), 'Europe/Istanbul');
  assert.deepEqual(w, { date: '2023-11-02', time: '16:00', zone: 'UTC+3' });
});

test('a plan’s HH:MM is labelled with its zone', () => {
  assert.equal(fmtClock('07:00', '2023-06-15'), '07:00 UTC+3');
  assert.equal(fmtClock('07:00', '2023-06-15', 'UTC'), '07:00 UTC');
  assert.equal(fmtClock('', '2023-06-15'), '');
  assert.equal(zoneName('Europe/Istanbul'), 'Istanbul time (UTC+3)');
  assert.equal(zoneName('UTC'), 'UTC');
  assert.equal(zoneName('Europe/London', '2024-07-01T12:00:00Z'), 'London time (UTC+1)');
});

test('a day in an address is a real calendar day, or not one', () => {
  for (const good of ['2023-06-14', '2024-02-29', '2000-02-29', '1999-12-31']) assert.ok(isDay(good), good);
  for (const bad of ['2023-02-30', '2023-02-29', '1900-02-29', '2023-13-01', '2023-00-10', '2023-06-31', '2023-6-1', '14/06/2023',
    'tomorrow', '2023-06-14T12:00', ' 2023-06-14', '', null, undefined, 20230614]) assert.ok(!isDay(bad), String(bad));
  // What made the inspector's screen hang: a clock for a day that is not one throws.
  assert.throws(() => zoneName(CENTRE_TIME_ZONE, 'garbageT12:00:00Z'), RangeError);
});

// Last: the zone learned stays for the rest of the module's life.
test('the centre’s zone is the server’s once named; an unknown one is ignored', () => {
  assert.equal(centreZone(), CENTRE_TIME_ZONE, 'Istanbul until the server names a zone');
  assert.ok(knownZone('Europe/Istanbul'));
  assert.ok(!knownZone('Mars/Olympus_Mons'));
  assert.ok(!knownZone(''));
  assert.ok(!knownZone(undefined));
  assert.equal(learnZone(undefined), CENTRE_TIME_ZONE, 'an answer without a zone changes nothing');
  assert.equal(learnZone('Mars/Olympus_Mons'), CENTRE_TIME_ZONE, 'a zone this browser does not know is not taken');
  assert.equal(learnZone('Europe/Kyiv'), 'Europe/Kyiv');
  assert.equal(centreZone(), 'Europe/Kyiv');
  // The working screens' clock follows it: Kyiv is UTC+3 in summer, UTC+2 in winter (Istanbul is UTC+3 all year).
  assert.equal(fmtWorkTime('2023-01-14T04:00:00Z'), '14 Jan 2023 06:00 UTC+2');
  assert.equal(fmtClock('07:00', '2023-01-15'), '07:00 UTC+2');
  assert.equal(learnZone('Europe/Istanbul'), 'Europe/Istanbul');
  assert.equal(fmtWorkTime('2023-01-14T04:00:00Z'), '14 Jan 2023 07:00 UTC+3');
});
