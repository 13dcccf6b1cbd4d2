import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etaOnCentreClock, formProblems, imoValid } from '../../src/appform.js';

test('IMO numbers: the check digit decides', () => {
  for (const good of ['9074729', '9321483', '9584516']) assert.ok(imoValid(good), good);
  for (const bad of ['9074728', '907472', '90747290', 'IMO9074', '']) assert.ok(!imoValid(bad), bad);
});

const filled = () => ({
  vessel: { imo: '9321483', name: 'PIONEER', flag: 'MT', mmsi: null, deadweight_tonnes: 58000 },
  itinerary: { port: 'UAODS', from_port: 'TRIST', to_port: 'EGALY', destination_country: 'EG' },
  cargo: [{ commodity: 'wheat', tonnes: 52000 }],
  crew_count: 20,
  passenger_count: 0,
  last_port_calls: [],
  eta_inspection_area: '2030-01-01T10:00:00Z',
  documents: [],
});

// One check per field: the form, the field the problem is shown at.
function check(edit, field, pattern) {
  const c = filled();
  edit(c);
  const problems = formProblems(c, new Date('2029-12-30T00:00:00Z'));
  if (!field) return assert.deepEqual(problems, []);
  const p = problems.find((x) => x.field === field);
  assert.ok(p, `expected a problem at ${field}, got ${JSON.stringify(problems)}`);
  assert.match(p.message, pattern);
}

test('a complete form has no problems', () => check(() => {}, null));
test('a wrong IMO check digit is named', () => check((c) => { c.vessel.imo = '9321484'; }, 'imo', /not a valid IMO/));
test('a flag must be an ISO code', () => check((c) => { c.vessel.flag = 'Malta'; }, 'flag', /two-letter/));
test('an MMSI has 9 digits', () => check((c) => { c.vessel.mmsi = '12345'; }, 'mmsi', /9 digits/));
test('ports are UN/LOCODEs', () => check((c) => { c.itinerary.to_port = 'Alexandria'; }, 'to_port', /UN\/LOCODE/));
test('tonnages are whole and positive', () => check((c) => { c.cargo.push({ commodity: 'corn', tonnes: -3 }); }, 'cargo-1', /Cargo line 2/));
test('no cargo is a problem', () => check((c) => { c.cargo = []; }, 'cargo', /At least one/));
test('an arrival in the past is a problem', () => check((c) => { c.eta_inspection_area = '2029-01-01T00:00:00Z'; }, 'eta', /in the past/));
test('no crew is a problem', () => check((c) => { c.crew_count = 0; }, 'crew', /at least 1/));

// The server counts an amendment's notice from when the application was
// submitted (decide.rs, Amend), a draft's from now.
test('a submitted application is checked against its submission, not now', () => {
  const c = filled();
  c.eta_inspection_area = '2029-01-01T00:00:00Z';
  const later = new Date('2029-06-01T00:00:00Z');
  assert.deepEqual(formProblems(c, later, { submittedAt: '2028-12-20T00:00:00Z' }), [], 'a held vessel whose ETA passed can be amended');
  const p = formProblems(c, later, { submittedAt: '2029-01-02T00:00:00Z' }).find((x) => x.field === 'eta');
  assert.ok(p, 'an arrival before the submission is still a problem');
  assert.match(p.message, /before the application was submitted \(2 Jan 2029 00:00 UTC\)/);
  assert.ok(formProblems(c, later, { submittedAt: '2029-01-01T00:00:00Z' }).some((x) => x.field === 'eta'), 'not at the submission itself');
  assert.ok(formProblems(c, later).some((x) => x.field === 'eta' && /in the past/.test(x.message)), 'a draft: against now');
});

test('the arrival typed in UTC is shown on the centre’s clock too', () => {
  assert.equal(etaOnCentreClock('2023-06-14T04:00', 'Europe/Istanbul'), '14 Jun 2023 07:00, Istanbul time (UTC+3)');
  // Late in the UTC evening it is already the next day at the centre.
  assert.equal(etaOnCentreClock('2023-06-14T22:30', 'Europe/Istanbul'), '15 Jun 2023 01:30, Istanbul time (UTC+3)');
  assert.equal(etaOnCentreClock('2023-06-14T22:30'), '15 Jun 2023 01:30, Istanbul time (UTC+3)', 'the centre’s zone by default');
  assert.equal(etaOnCentreClock('2023-06-14T22:30', 'UTC'), '', 'nothing to add on a centre that keeps UTC');
  assert.equal(etaOnCentreClock('', 'Europe/Istanbul'), '');
  assert.equal(etaOnCentreClock('2023-06-14', 'Europe/Istanbul'), '');
});
