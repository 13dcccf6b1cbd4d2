import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BANNED_PORT_CALLS, DOCUMENTS, etaOnCentreClock, FALLBACK_RULES, formProblems, imoValid, MAX_FILE_BYTES, MAX_PORT_CALLS, portCallProblems, rulesFrom } from '../../src/appform.js';

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
  // A review of session 27: the server refuses an amendment that moves the
  // ETA into the past; the form said nothing and let it be sent.
  const asSent = { submittedAt: '2028-12-20T00:00:00Z', currentEta: '2029-01-01T00:00:00Z' };
  assert.deepEqual(formProblems(c, later, asSent), [], 'left as it was: still valid');
  c.eta_inspection_area = '2029-05-01T00:00:00Z';
  assert.match(formProblems(c, later, asSent).find((x) => x.field === 'eta')?.message || '', /only to a time still to come/);
  c.eta_inspection_area = '2029-06-02T00:00:00Z';
  assert.deepEqual(formProblems(c, later, asSent), [], 'moved to a time still to come');
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

// The port calls as the server checks them (eligibility.rs): at most
// max_port_calls, none at a banned port left on or after its cut-off.
const call = (locode, arrived, departed) => ({ locode, arrived, departed });

test('port calls: ordinary calls pass', () => {
  assert.deepEqual(portCallProblems([call('TRIST', '2023-05-01T08:00:00Z', '2023-05-02T10:00:00Z'), call('EGALY', '2023-04-10T00:00:00Z', '2023-04-12T00:00:00Z')]), []);
  assert.deepEqual(portCallProblems([]), []);
});

test('port calls: a call at a banned port after the cut-off is the server’s rule, named as it names it', () => {
  const [p] = portCallProblems([call('TRIST', '2023-05-01T08:00:00Z', '2023-05-02T10:00:00Z'), call('uasvp', '2023-04-01T00:00:00Z', '2023-04-03T12:00:00Z')]);
  assert.equal(p.field, 'port_calls');
  assert.equal(p.index, 1);
  assert.equal(p.input, 'locode');
  assert.equal(p.rule, true, 'a rule: a draft may be saved, the server refuses it');
  assert.match(p.message, /^Port call 2: called at UASVP \(Crimean ports\) on 3 Apr 2023 12:00 UTC, after 1 Jan 2014 00:00 UTC/);
});

test('port calls: the cut-off counts from the departure, on or after it', () => {
  const since = BANNED_PORT_CALLS[0].since;
  assert.equal(portCallProblems([call('UAFEO', '2013-12-20T00:00:00Z', '2013-12-31T23:59:00Z')]).length, 0, 'left before the cut-off');
  assert.equal(portCallProblems([call('UAFEO', '2013-12-20T00:00:00Z', since)]).filter((p) => p.rule).length, 1, 'left at the cut-off');
  assert.equal(portCallProblems([call('UAODS', '2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z')]).length, 0, 'a corridor port is not banned');
});

test('port calls: more than the corridor takes is the server’s rule', () => {
  const calls = Array.from({ length: MAX_PORT_CALLS + 1 }, (_, i) => call('TRIST', `2023-0${1 + (i % 9)}-01T00:00:00Z`, `2023-0${1 + (i % 9)}-02T00:00:00Z`));
  const problems = portCallProblems(calls);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].rule, true);
  assert.equal(problems[0].message, `${MAX_PORT_CALLS + 1} port calls declared; at most ${MAX_PORT_CALLS}.`);
  assert.deepEqual(portCallProblems(calls.slice(1)), []);
});

test('port calls: what the form can tell on its face stops it being sent', () => {
  const face = (c) => portCallProblems([c]).filter((p) => !p.rule).map((p) => [p.input, p.message]);
  assert.deepEqual(face(call('Istanbul', '2023-05-01T08:00:00Z', '2023-05-02T10:00:00Z')), [['locode', 'Port call 1: the port is a UN/LOCODE (5 letters, e.g. TRIST).']]);
  assert.deepEqual(face(call('TRIST', '', '2023-05-02T10:00:00Z')), [['arrived', 'Port call 1: the arrival (UTC) is required.']]);
  assert.deepEqual(face(call('TRIST', '2023-05-01T08:00:00Z', '')), [['departed', 'Port call 1: the departure (UTC) is required.']]);
  assert.deepEqual(face(call('TRIST', '2023-05-03T08:00:00Z', '2023-05-02T10:00:00Z')), [['departed', 'Port call 1: the departure is before the arrival.']]);
});

test('the form reports its port calls’ problems with the rest', () => {
  const c = filled();
  c.last_port_calls = [call('UAKEH', '2023-04-01T00:00:00Z', '2023-04-02T00:00:00Z'), call('X', '', '')];
  const problems = formProblems(c, new Date('2029-12-30T00:00:00Z'));
  assert.deepEqual(problems.map((p) => [p.index, p.input, Boolean(p.rule)]), [[0, 'locode', true], [1, 'locode', false], [1, 'arrived', false], [1, 'departed', false]]);
});

// The form's rules are the server's (GET /corridor `eligibility` and `ports`).
test('the rules come from GET /corridor: the port calls, the allowed commodities and the corridor ports', () => {
  const rules = rulesFrom({ ports: [{ locode: 'YEHOD', name: 'Hodeidah' }, { locode: 'YESIF', name: 'Salif' }], eligibility: {
    min_notice_hours: 44,
    allowed_categories: ['grain', 'fertiliser'],
    commodities: { barley: 'grain', steel: 'metals', urea: 'fertiliser' },
    min_parcel_tonnes: { grain: 25000 },
    max_port_calls: 3,
    banned_port_calls: [{ label: 'Test ports', locodes: ['GRPIR'], since: '2020-01-01T00:00:00Z' }],
  } });
  assert.deepEqual(rules, { max: 3, banned: [{ label: 'Test ports', locodes: ['GRPIR'], since: '2020-01-01T00:00:00Z' }], commodities: ['barley', 'urea'],
    ports: [['YEHOD', 'Hodeidah'], ['YESIF', 'Salif']], noticeHours: 44, minParcel: { barley: 25000 }, documents: DOCUMENTS, maxFileBytes: MAX_FILE_BYTES, fromServer: true });
  // Checked with them, not with the copied ones.
  const call = (locode, departed) => ({ locode, arrived: '2023-01-01T00:00:00Z', departed });
  assert.equal(portCallProblems([call('GRPIR', '2023-01-02T00:00:00Z')], rules).filter((p) => p.rule).length, 1);
  assert.equal(portCallProblems([call('UASVP', '2023-01-02T00:00:00Z')], rules).length, 0, 'the copied ban is not the server’s');
  const four = Array.from({ length: 4 }, () => call('TRIST', '2023-01-02T00:00:00Z'));
  assert.match(portCallProblems(four, rules)[0].message, /^4 port calls declared; at most 3\.$/);
  const c = { vessel: { imo: '9074729', name: 'X', flag: 'MT', mmsi: null, deadweight_tonnes: 1 }, itinerary: { port: 'UAODS', from_port: 'TRIST', to_port: 'EGALY', destination_country: 'EG' },
    cargo: [{ commodity: 'wheat', tonnes: 1 }], crew_count: 1, passenger_count: 0, last_port_calls: four, eta_inspection_area: '2030-01-01T00:00:00Z' };
  assert.ok(formProblems(c, new Date('2029-12-30T00:00:00Z'), { rules }).some((p) => p.rule), 'formProblems takes the rules');
  assert.deepEqual(formProblems(c, new Date('2029-12-30T00:00:00Z')).filter((p) => p.rule && p.field === 'port_calls'), [], 'the usual rules allow 4');
});

// Open finding 4 (docs/open-findings.md, list of 30 Nov 2026): the form
// left the notice period and the minimum parcel to the server's answer.
test('the notice period and the minimum parcel are checked as the form is filled, as the server checks them', () => {
  const rules = rulesFrom({ ports: [{ locode: 'UAODS', name: 'Odesa' }], eligibility: {
    min_notice_hours: 44, allowed_categories: ['grain', 'foodstuffs'], commodities: { wheat: 'grain', peas: 'foodstuffs', steel: 'metals' },
    min_parcel_tonnes: { grain: 25000, metals: 1 }, max_port_calls: 10, banned_port_calls: [] } });
  const now = new Date('2029-12-30T00:00:00Z');
  const rulesOf = (edit, opts = {}) => {
    const c = filled();
    edit(c);
    return formProblems(c, now, { rules, ...opts }).filter((p) => p.rule).map((p) => [p.field, p.message]);
  };
  // 44 h is enough; 43 h 59 min is not (the server counts seconds).
  assert.deepEqual(rulesOf((c) => { c.eta_inspection_area = '2029-12-31T20:00:00Z'; }), []);
  assert.deepEqual(rulesOf((c) => { c.eta_inspection_area = '2029-12-31T19:59:00Z'; }),
    [['eta', 'The expected arrival is 43 h after now; the corridor asks for at least 44 h notice: the server refuses the submission.']]);
  // Submitted: counted from the submission, not from now.
  assert.match(rulesOf((c) => { c.eta_inspection_area = '2029-12-31T19:59:00Z'; }, { submittedAt: '2029-12-29T00:00:00Z' }).join(), /^$/);
  assert.match(rulesOf((c) => { c.eta_inspection_area = '2029-12-30T10:00:00Z'; }, { submittedAt: '2029-12-29T23:00:00Z' })[0][1],
    /^The expected arrival is 11 h after the submission \(.+\); the corridor asks for at least 44 h notice/);
  // A parcel below its category's minimum; other categories have none.
  assert.deepEqual(rulesOf((c) => { c.cargo = [{ commodity: 'wheat', tonnes: 24999 }, { commodity: 'peas', tonnes: 10 }, { commodity: 'wheat', tonnes: 25000 }]; }),
    [['cargo-0', 'Cargo line 1: 24,999 t of wheat is below the corridor’s minimum parcel of 25,000 t: the server refuses the submission.']]);
  // A commodity of a category not allowed has no minimum here (the server refuses the category).
  assert.deepEqual(rules.minParcel, { wheat: 25000 });
  // A rule does not stop a draft being saved: it is not on the form's face.
  assert.deepEqual(formProblems({ ...filled(), cargo: [{ commodity: 'wheat', tonnes: 1 }] }, now, { rules }).filter((p) => !p.rule), []);
  // Without the server's rules, the usual ones (44 h; 25,000 t of grain).
  assert.equal(formProblems({ ...filled(), cargo: [{ commodity: 'corn', tonnes: 1 }] }, now).filter((p) => p.rule).length, 1);
  assert.equal(FALLBACK_RULES.noticeHours, 44);
});

test('an answer without the rules gives none (the form then uses the usual ones, said so)', () => {
  assert.equal(rulesFrom(undefined), null);
  assert.equal(rulesFrom({ eligibility: { max_port_calls: '10', banned_port_calls: [] }, ports: [{ locode: 'UAODS', name: 'Odesa' }] }), null);
  assert.equal(rulesFrom({ eligibility: { max_port_calls: 10, banned_port_calls: [] } }), null, 'no ports: the usual ones, said so');
  assert.equal(FALLBACK_RULES.fromServer, false);
  assert.equal(FALLBACK_RULES.max, MAX_PORT_CALLS);
});

// From a review of a delegation's week (session 27): after an amendment the
// parties saw only the new version's hash, not what had changed (a
// backdated ETA was approved unseen).
test('an amendment is shown field by field', async () => {
  const { contentChanges } = await import('../../src/appform.js');
  const before = {
    vessel: { name: 'KARADENIZ', mmsi: null, deadweight_tonnes: 30000 },
    cargo: [{ commodity: 'wheat', tonnes: 20000 }],
    eta_inspection_area: '2026-11-27T06:00:00Z',
    documents: [{ kind: 'crew_list', filename: 'crew.pdf', sha256: 'aa' }, { kind: 'cargo_manifest', filename: 'm.pdf', sha256: 'bb' }],
  };
  const after = {
    ...before,
    vessel: { ...before.vessel, mmsi: '271000001' },
    eta_inspection_area: '2026-11-26T11:00:00Z',
    documents: [{ kind: 'crew_list', filename: 'crew2.pdf', sha256: 'cc' }, before.documents[1]],
  };
  assert.deepEqual(contentChanges(before, after), [
    { field: 'eta_inspection_area', before: '2026-11-27T06:00:00Z', after: '2026-11-26T11:00:00Z' },
    { field: 'vessel.mmsi', before: null, after: '271000001' },
    { field: 'Documents: Crew list', before: 'crew.pdf', after: 'crew2.pdf' },
  ]);
  assert.deepEqual(contentChanges(before, { ...before, cargo: [...before.cargo, { commodity: 'corn', tonnes: 5000 }] }), [
    { field: 'cargo.1.commodity', before: null, after: 'corn' },
    { field: 'cargo.1.tonnes', before: null, after: 5000 },
  ]);
  assert.deepEqual(contentChanges(before, before), []);
});
