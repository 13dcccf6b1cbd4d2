// The application form (the content an agent registers) and the checks that
// can be made as it is filled, before the server sees it. The server's own
// eligibility check (notice period, commodities, port calls, documents) is
// shown beside it from /applications/{id}/eligibility. The corridor's rules
// the form checks as it is filled (the notice period, the commodities and
// their minimum parcels, the port calls) are the server's, from GET
// /corridor's `eligibility`, and so are the corridor ports it offers
// (`ports`).
import { getJSON } from './api.js';
import { h } from './dom.js';
import { centreZone, fmtDate, fmtTimestamp, wallClock, zoneName } from './format.js';

// The rules as config/parties-bsgi.toml has them: used only while the
// server's cannot be read (GET /corridor failed), and said so on the form.
export const PORTS = [['UAODS', 'Odesa'], ['UAILK', 'Chornomorsk'], ['UAYUZ', 'Yuzhny/Pivdennyi']];
export const COMMODITIES = ['wheat', 'corn', 'barley', 'rye', 'sorghum', 'wheat_bran', 'soya_beans', 'rapeseed',
  'sunflower_seed', 'sunflower_oil', 'sunflower_meal', 'vegetable_oil', 'peas', 'sugar_beet_pellets', 'ammonia', 'urea',
  'ammonium_nitrate'];

// The port-call rules: at most `max_port_calls` calls declared, and none at
// a banned port left on or after its cut-off (a UN/LOCODE compared without
// case, as the server does).
export const MAX_PORT_CALLS = 10;
export const BANNED_PORT_CALLS = [
  { label: 'Crimean ports', locodes: ['UASVP', 'UAFEO', 'UAKEH', 'UAYAL', 'UAEVP'], since: '2014-01-01T00:00:00Z' },
];

// The notice period (hours from submission to the arrival at the
// inspection area) and the minimum parcel (tonnes of one cargo line, by
// commodity: the grain ones, 25,000 t).
export const MIN_NOTICE_HOURS = 44;
export const MIN_PARCEL = Object.freeze(Object.fromEntries(
  ['wheat', 'corn', 'barley', 'rye', 'sorghum', 'wheat_bran', 'soya_beans'].map((c) => [c, 25000])));

// The document checklist: what each kind is called, and the kinds as
// config/parties-bsgi.toml lists them (the fallback).
export const DOCUMENT_LABELS = {
  port_entry_request: 'Port entry request',
  crew_list: 'Crew list',
  passenger_list: 'Passenger list',
  cargo_manifest: 'Cargo manifest',
  stowage_plan: 'Stowage plan',
  registry_certificate: 'Registry certificate',
  bill_of_lading: 'Bill of lading',
  dangerous_goods_list: 'Dangerous goods list',
  fumigation_certificate: 'Fumigation certificate',
  gas_free_certificate: 'Gas-free certificate',
  last_port_calls: 'Last port calls',
  certificate_of_origin: 'Certificate of origin',
  commercial_invoice: 'Commercial invoice',
  insurance_certificate: 'Insurance certificate',
  classification_certificate: 'Classification certificate',
  safety_management_certificate: 'Safety management certificate',
  ship_security_certificate: 'Ship security certificate',
  tonnage_certificate: 'Tonnage certificate',
  notice_of_readiness: 'Notice of readiness',
};

/** A document kind in words: its label, or the kind itself spelled out. */
export function documentLabel(kind) {
  const k = String(kind);
  return DOCUMENT_LABELS[k] || (k.charAt(0).toUpperCase() + k.slice(1).replace(/_/g, ' '));
}

/** The checklist as [{kind, label, required}], required first. */
export function documentList(required, optional) {
  const seen = new Set();
  const out = [];
  for (const [kinds, req] of [[required, true], [optional, false]]) {
    for (const kind of kinds) {
      if (typeof kind !== 'string' || seen.has(kind)) continue;
      seen.add(kind);
      out.push({ kind, label: documentLabel(kind), required: req });
    }
  }
  return out;
}

export const DOCUMENTS = documentList(
  ['port_entry_request', 'crew_list', 'cargo_manifest', 'stowage_plan', 'registry_certificate'],
  ['bill_of_lading', 'passenger_list', 'dangerous_goods_list', 'fumigation_certificate', 'gas_free_certificate'],
);
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** The rules the form falls back on when the server's cannot be read. */
export const FALLBACK_RULES = Object.freeze({ max: MAX_PORT_CALLS, banned: BANNED_PORT_CALLS, commodities: COMMODITIES, ports: PORTS,
  noticeHours: MIN_NOTICE_HOURS, minParcel: MIN_PARCEL, documents: DOCUMENTS, maxFileBytes: MAX_FILE_BYTES, fromServer: false });

/**
 * The form's rules from GET /corridor: {max, banned, commodities (those of
 * an allowed category, as the server allows them), ports ([locode, name],
 * the corridor's own), noticeHours, minParcel ({commodity: tonnes}, from
 * each commodity's category), documents ([{kind, label, required}], the
 * corridor's checklist), maxFileBytes, fromServer: true}, or null if it is
 * not the shape expected.
 */
export function rulesFrom(corridor) {
  const e = corridor?.eligibility;
  if (!e || typeof e !== 'object' || !Number.isInteger(e.max_port_calls) || !Array.isArray(e.banned_port_calls)) return null;
  const ports = Array.isArray(corridor.ports)
    ? corridor.ports.filter((p) => p && typeof p.locode === 'string').map((p) => [p.locode, String(p.name ?? p.locode)])
    : [];
  if (!ports.length) return null;
  const banned = e.banned_port_calls.filter((b) => b && Array.isArray(b.locodes) && typeof b.since === 'string')
    .map((b) => ({ label: String(b.label ?? ''), locodes: b.locodes.map(String), since: b.since }));
  const allowed = new Set(Array.isArray(e.allowed_categories) ? e.allowed_categories : []);
  const categoryOf = Object.entries(e.commodities && typeof e.commodities === 'object' ? e.commodities : {})
    .filter(([, category]) => allowed.has(category));
  const commodities = categoryOf.map(([name]) => name);
  const parcels = e.min_parcel_tonnes && typeof e.min_parcel_tonnes === 'object' ? e.min_parcel_tonnes : {};
  const minParcel = Object.fromEntries(categoryOf.filter(([, category]) => Number.isSafeInteger(parcels[category]) && parcels[category] > 0)
    .map(([name, category]) => [name, parcels[category]]));
  const noticeHours = Number.isSafeInteger(e.min_notice_hours) && e.min_notice_hours > 0 ? e.min_notice_hours : 0;
  // The corridor's own document checklist (an older server names none).
  const d = corridor.documents;
  const documents = d && Array.isArray(d.required) ? documentList(d.required, Array.isArray(d.optional) ? d.optional : []) : DOCUMENTS;
  const maxFileBytes = Number.isSafeInteger(d?.max_file_bytes) && d.max_file_bytes > 0 ? d.max_file_bytes : MAX_FILE_BYTES;
  return { max: e.max_port_calls, banned, commodities: commodities.length ? commodities : COMMODITIES, ports, noticeHours, minParcel, documents, maxFileBytes, fromServer: true };
}

/**
 * The corridor's rules as the server has them now; FALLBACK_RULES if it
 * cannot say (no clearance service, offline, an unexpected answer). Only a
 * screen that was left (AbortError) makes it throw.
 */
export async function corridorRules({ signal } = {}) {
  try {
    return rulesFrom(await getJSON('/corridor', null, { signal })) || FALLBACK_RULES;
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return FALLBACK_RULES;
  }
}

const LOCODE = /^[A-Z]{2}[A-Z0-9]{3}$/;

/**
 * Problems with the declared last port calls: [{field: 'port_calls', index,
 * input, message, rule}]. The server's eligibility rules (too many calls, a
 * banned port) are marked `rule`: a draft may still be saved with them, and
 * the server refuses its submission or amendment naming them. The others
 * (a port that is not a UN/LOCODE, a missing time, a departure before the
 * arrival) are on the form's face.
 */
export function portCallProblems(calls, { max = MAX_PORT_CALLS, banned = BANNED_PORT_CALLS } = {}) {
  const out = [];
  const add = (index, input, message, rule = false) => out.push({ field: 'port_calls', index, input, message, rule });
  if (calls.length > max) add(null, null, `${calls.length} port calls declared; at most ${max}.`, true);
  calls.forEach((call, i) => {
    const n = `Port call ${i + 1}`;
    const locode = String(call.locode || '').trim().toUpperCase();
    if (!LOCODE.test(locode)) add(i, 'locode', `${n}: the port is a UN/LOCODE (5 letters, e.g. TRIST).`);
    const arrived = Date.parse(call.arrived);
    const departed = Date.parse(call.departed);
    if (Number.isNaN(arrived)) add(i, 'arrived', `${n}: the arrival (UTC) is required.`);
    if (Number.isNaN(departed)) add(i, 'departed', `${n}: the departure (UTC) is required.`);
    if (!Number.isNaN(arrived) && !Number.isNaN(departed) && departed < arrived) add(i, 'departed', `${n}: the departure is before the arrival.`);
    if (Number.isNaN(departed)) return;
    for (const ban of banned) {
      if (ban.locodes.some((l) => l.toUpperCase() === locode) && departed >= Date.parse(ban.since)) {
        add(i, 'locode', `${n}: called at ${locode} (${ban.label}) on ${fmtTimestamp(call.departed)}, after ${fmtTimestamp(ban.since)}: the corridor’s rules refuse the application.`, true);
      }
    }
  });
  return out;
}

/** The IMO number's check digit (ships: 7 digits, weights 7..2). */
export function imoValid(imo) {
  if (!/^\d{7}$/.test(imo)) return false;
  const d = [...imo].map(Number);
  const sum = d.slice(0, 6).reduce((s, x, i) => s + x * (7 - i), 0);
  return sum % 10 === d[6];
}

/**
 * Problems a filled form has: [{field, message, rule?}]. Those marked
 * `rule` are the corridor's eligibility rules (the notice period, the
 * minimum parcel, the port calls'): a draft may still be saved with them,
 * and the server refuses its submission naming them; the others are on the
 * form's face. The arrival is checked as the server checks it: an
 * application already submitted keeps its notice counted from
 * `submittedAt` (an amendment of a held vessel whose ETA has passed is
 * still valid while it leaves that ETA as it was, `currentEta`; one that
 * moves it must move it to a time still to come), a draft from `now` (as if
 * submitted now).
 */
export function formProblems(c, now = new Date(), { submittedAt = null, currentEta = null, rules = FALLBACK_RULES } = {}) {
  const out = [];
  const add = (field, message) => out.push({ field, message });
  const v = c.vessel;
  if (!v.imo) add('imo', 'The IMO number is required.');
  else if (!imoValid(v.imo)) add('imo', `IMO ${v.imo} is not a valid IMO number (7 digits, the last a check digit).`);
  if (!v.name.trim()) add('name', 'The vessel name is required.');
  if (!/^[A-Z]{2}$/.test(v.flag)) add('flag', 'The flag is a two-letter ISO 3166 code (e.g. PA).');
  if (v.mmsi && !/^\d{9}$/.test(v.mmsi)) add('mmsi', 'An MMSI has 9 digits.');
  if (!(v.deadweight_tonnes > 0)) add('dwt', 'The deadweight is a positive number of tonnes.');
  const it = c.itinerary;
  for (const [k, label] of [['from_port', 'The port the vessel comes from'], ['to_port', 'The destination port']]) {
    if (!/^[A-Z]{2}[A-Z0-9]{3}$/.test(it[k])) add(k, `${label} is a UN/LOCODE (5 letters, e.g. TRIST).`);
  }
  if (!/^[A-Z]{2}$/.test(it.destination_country)) add('destination_country', 'The destination country is a two-letter ISO 3166 code.');
  if (!c.cargo.length) add('cargo', 'At least one cargo line.');
  const rule = (field, message) => out.push({ field, message, rule: true });
  const t = (n) => n.toLocaleString('en-GB');
  c.cargo.forEach((l, i) => {
    const min = rules.minParcel?.[l.commodity];
    if (!(Number.isSafeInteger(l.tonnes) && l.tonnes > 0)) add(`cargo-${i}`, `Cargo line ${i + 1}: the tonnage is a whole, positive number of tonnes.`);
    else if (min > l.tonnes) {
      rule(`cargo-${i}`, `Cargo line ${i + 1}: ${t(l.tonnes)} t of ${l.commodity.replace(/_/g, ' ')} is below the corridor’s minimum parcel of ${t(min)} t: the server refuses the submission.`);
    }
  });
  if (!Number.isSafeInteger(c.crew_count) || c.crew_count < 1) add('crew', 'The crew count is at least 1.');
  out.push(...portCallProblems(c.last_port_calls || [], { max: rules.max, banned: rules.banned }));
  const eta = Date.parse(c.eta_inspection_area);
  if (Number.isNaN(eta)) add('eta', 'The expected arrival at the inspection area is required.');
  else {
    const from = submittedAt ? Date.parse(submittedAt) : now.getTime();
    const hours = Math.floor((eta - from) / 3600e3);
    const moved = currentEta && eta !== Date.parse(currentEta);
    if (submittedAt && moved && eta < now.getTime()) {
      add('eta', 'An amendment may move the expected arrival only to a time still to come: an arrival that has happened is seen by tracking or recorded by the coordinator.');
    } else if (eta <= from) {
      add('eta', submittedAt
        ? `The expected arrival at the inspection area is before the application was submitted (${fmtTimestamp(submittedAt)}).`
        : 'The expected arrival at the inspection area is in the past.');
    } else if (rules.noticeHours && hours < rules.noticeHours) {
      rule('eta', `The expected arrival is ${hours} h after ${submittedAt ? `the submission (${fmtTimestamp(submittedAt)})` : 'now'}; the corridor asks for at least ${rules.noticeHours} h notice: the server refuses the submission.`);
    }
  }
  return out;
}

const field = (id, label, input, hint) => h('div', { class: 'field', 'data-field': id },
  h('label', { for: `f-${id}` }, label), input, hint ? h('span', { class: 'hint', id: `f-${id}-hint` }, hint) : null,
  h('span', { class: 'field-error', id: `f-${id}-error`, 'aria-live': 'polite' }));

/**
 * An arrival typed in UTC ("YYYY-MM-DDTHH:MM", as the form takes it) on the
 * centre's clock, which the coordinator and the inspectors work by:
 * "15 Jun 2023 07:00, Istanbul time (UTC+3)". Empty if nothing valid is
 * typed, or if the centre's clock is on UTC then (nothing to add).
 */
export function etaOnCentreClock(value, zone = centreZone()) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value || '')) return '';
  const at = new Date(`${value.slice(0, 16)}:00Z`);
  if (Number.isNaN(at.getTime())) return '';
  const w = wallClock(at, zone);
  return w.zone === 'UTC' ? '' : `${fmtDate(w.date)} ${w.time}, ${zoneName(zone, at)}`;
}

const toLocalInput = (iso) => (iso && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 16) : '');

let callSeq = 0;

/**
 * The form for `content` (or a new one). Returns {form, read()} where read()
 * gives the ApplicationContent as the server takes it (documents as given).
 */
export function applicationForm(content, { disabled = false, submittedAt = null, currentEta = null, rules = FALLBACK_RULES } = {}) {
  const c = content || {
    vessel: { imo: '', name: '', flag: '', mmsi: null, deadweight_tonnes: 0 },
    itinerary: { port: rules.ports[0]?.[0] ?? '', from_port: '', to_port: '', destination_country: '' },
    cargo: [{ commodity: 'wheat', tonnes: 0 }],
    crew_count: 20,
    passenger_count: 0,
    last_port_calls: [],
    eta_inspection_area: new Date(Date.now() + 3 * 86400e3).toISOString(),
    documents: [],
  };
  const input = (id, value, attrs = {}) => h('input', { id: `f-${id}`, name: id, value: value ?? '', disabled, 'aria-describedby': `f-${id}-error`, ...attrs });
  // The arrival is typed in UTC; beside it, the same moment on the centre's clock.
  const etaHint = h('span', { 'data-centre-time': '' });
  const showEta = (value) => {
    const there = etaOnCentreClock(value);
    etaHint.textContent = there ? `Date and time in UTC. At the centre: ${there}.` : 'Date and time in UTC.';
  };
  showEta(toLocalInput(c.eta_inspection_area));
  const cargoBox = h('div', { class: 'cargo-lines' });
  // Each line's controls say which line they are ("Cargo line 2: metric
  // tons"), numbered again when one is removed, as the port calls are.
  const renumberCargo = () => {
    [...cargoBox.querySelectorAll('.cargo-line')].forEach((row, i) => {
      const [commodity, tonnes] = row.querySelectorAll('select, input');
      commodity.setAttribute('aria-label', `Cargo line ${i + 1}: commodity`);
      tonnes.setAttribute('aria-label', `Cargo line ${i + 1}: metric tons`);
      row.querySelector('button').setAttribute('aria-label', `Remove cargo line ${i + 1}`);
    });
  };
  const cargoRow = (l) => {
    const row = h('div', { class: 'cargo-line' },
      h('select', { 'aria-label': 'Commodity', name: 'commodity', disabled },
        // A commodity the corridor no longer allows stays shown as it was saved (the server says why it is refused).
        (rules.commodities.includes(l.commodity) ? rules.commodities : [...rules.commodities, l.commodity]).map((k) => h('option', { value: k, selected: k === l.commodity }, k.replace(/_/g, ' ')))),
      h('label', { class: 'inline-unit' },
        h('input', { 'aria-label': 'Metric tons', name: 'tonnes', type: 'number', min: 1, step: 1, value: l.tonnes || '', disabled, inputmode: 'numeric', 'aria-describedby': 'f-cargo-error' }), ' t'),
      h('button', { type: 'button', class: 'secondary', disabled, onclick: () => { row.remove(); renumberCargo(); cargoBox.dispatchEvent(new Event('input', { bubbles: true })); } }, 'Remove'));
    return row;
  };
  for (const l of c.cargo) cargoBox.append(cargoRow(l));
  renumberCargo();

  // The last port calls, most recent first: each a fieldset of its own
  // ("Port call 2"), numbered again when one is removed.
  const callsBox = h('div', { class: 'port-calls' });
  const addCall = h('button', { type: 'button', class: 'secondary', id: 'add-port-call', disabled }, 'Add a port call');
  const renumber = () => {
    const rows = [...callsBox.querySelectorAll('.port-call')];
    rows.forEach((row, i) => {
      row.querySelector('legend').textContent = `Port call ${i + 1}`;
      row.querySelector('button').setAttribute('aria-label', `Remove port call ${i + 1}`);
    });
    // The server takes at most `max_port_calls`; more is refused as it is typed.
    addCall.disabled = disabled || rows.length >= rules.max;
    callsNone.hidden = rows.length > 0;
  };
  const callsNone = h('p', { class: 'muted', id: 'port-calls-none' }, 'None declared.');
  const callRow = (call) => {
    const uid = `pc-${++callSeq}`;
    const part = (name, label, value, attrs) => h('div', { class: 'field' },
      h('label', { for: `${uid}-${name}` }, label),
      h('input', { id: `${uid}-${name}`, name, value: value ?? '', disabled, 'aria-describedby': 'f-port_calls-error', ...attrs }));
    const row = h('fieldset', { class: 'port-call' }, h('legend', null, ''),
      part('locode', 'Port (UN/LOCODE)', call.locode, { maxlength: 5, autocapitalize: 'characters', 'data-port-call': 'locode' }),
      part('arrived', 'Arrived, in UTC', toLocalInput(call.arrived), { type: 'datetime-local', 'data-port-call': 'arrived' }),
      part('departed', 'Departed, in UTC', toLocalInput(call.departed), { type: 'datetime-local', 'data-port-call': 'departed' }),
      h('button', { type: 'button', class: 'secondary', disabled, onclick: () => {
        const form = row.form;
        row.remove();
        renumber();
        form?.dispatchEvent(new Event('input', { bubbles: true }));
      } }, 'Remove'));
    return row;
  };
  for (const call of c.last_port_calls || []) callsBox.append(callRow(call));
  addCall.addEventListener('click', () => {
    const row = callRow({ locode: '', arrived: '', departed: '' });
    callsBox.append(row);
    renumber();
    row.querySelector('input').focus();
    // A new, empty call changes the application: the live checks run again.
    addCall.form?.dispatchEvent(new Event('input', { bubbles: true }));
  });
  renumber();

  const form = h('form', { class: 'form', id: 'application-form', novalidate: true },
    h('fieldset', null, h('legend', null, 'Vessel'),
      field('imo', 'IMO number', input('imo', c.vessel.imo, { inputmode: 'numeric', maxlength: 7, required: true })),
      field('name', 'Name', input('name', c.vessel.name, { required: true })),
      field('flag', 'Flag (ISO 3166)', input('flag', c.vessel.flag, { maxlength: 2, required: true, autocapitalize: 'characters' })),
      field('mmsi', 'MMSI', input('mmsi', c.vessel.mmsi, { inputmode: 'numeric', maxlength: 9 }), 'Optional'),
      field('dwt', 'Deadweight (t)', input('dwt', c.vessel.deadweight_tonnes || '', { type: 'number', min: 1, step: 1 }))),
    h('fieldset', null, h('legend', null, 'Voyage'),
      field('port', 'Corridor port', h('select', { id: 'f-port', name: 'port', disabled },
        // A port the corridor no longer serves stays shown as it was saved (the server says why it is refused).
        (rules.ports.some(([code]) => code === c.itinerary.port) ? rules.ports : [...rules.ports, [c.itinerary.port, c.itinerary.port]])
          .map(([code, name]) => h('option', { value: code, selected: code === c.itinerary.port }, `${name} (${code})`)))),
      field('from_port', 'Coming from (UN/LOCODE)', input('from_port', c.itinerary.from_port, { maxlength: 5, autocapitalize: 'characters' })),
      field('to_port', 'Destination port (UN/LOCODE)', input('to_port', c.itinerary.to_port, { maxlength: 5, autocapitalize: 'characters' })),
      field('destination_country', 'Destination country (ISO 3166)', input('destination_country', c.itinerary.destination_country, { maxlength: 2, autocapitalize: 'characters' })),
      field('eta', 'Expected at the inspection area, in UTC', input('eta', toLocalInput(c.eta_inspection_area), { type: 'datetime-local', 'aria-describedby': 'f-eta-hint f-eta-error' }), etaHint),
      field('crew', 'Crew', input('crew', c.crew_count, { type: 'number', min: 1, step: 1 })),
      field('passengers', 'Passengers', input('passengers', c.passenger_count, { type: 'number', min: 0, step: 1 }))),
    h('fieldset', { 'data-field': 'cargo' }, h('legend', null, 'Cargo'), cargoBox,
      h('button', { type: 'button', class: 'secondary', disabled, onclick: (ev) => {
        cargoBox.append(cargoRow({ commodity: 'wheat', tonnes: 0 }));
        renumberCargo();
        // A new, empty line changes the application: the live checks run again.
        ev.target.form?.dispatchEvent(new Event('input', { bubbles: true }));
      } }, 'Add a cargo line'),
      // The queue rule may put these first: say so on the form.
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'wfp', checked: Boolean(c.wfp), disabled }), ' WFP-chartered humanitarian cargo'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'perishable', checked: Boolean(c.perishable), disabled }), ' Perishable cargo'),
      h('span', { class: 'field-error', id: 'f-cargo-error', 'aria-live': 'polite' })),
    h('fieldset', { 'data-field': 'port_calls', id: 'port-calls' }, h('legend', null, 'Last port calls'),
      h('p', { class: 'hint', id: 'f-port_calls-hint', 'data-rules': rules.fromServer ? 'server' : 'fallback' }, `Most recent first, at most ${rules.max}; times in UTC. `
        + (rules.banned.length ? `A call at ${rules.banned.map((b) => `one of the ${b.label} (${b.locodes.join(', ')}) since ${fmtDate(b.since)}`).join(' or ')} makes the application ineligible.` : '')
        + (rules.fromServer ? '' : ' (The corridor’s rules could not be read from the server: these are the usual ones; the server checks its own when the application is saved and submitted.)')),
      callsNone, callsBox, addCall,
      h('span', { class: 'field-error', id: 'f-port_calls-error', 'aria-live': 'polite' })));

  const val = (name) => form.elements[name].value.trim();
  const read = () => ({
    vessel: {
      imo: val('imo'),
      name: val('name'),
      flag: val('flag').toUpperCase(),
      mmsi: val('mmsi') || null,
      deadweight_tonnes: Number(val('dwt')) || 0,
    },
    itinerary: {
      port: form.elements.port.value,
      from_port: val('from_port').toUpperCase(),
      to_port: val('to_port').toUpperCase(),
      destination_country: val('destination_country').toUpperCase(),
    },
    cargo: [...cargoBox.querySelectorAll('.cargo-line')].map((row) => ({
      commodity: row.querySelector('select').value,
      tonnes: Number(row.querySelector('input').value) || 0,
    })),
    crew_count: Number(val('crew')) || 0,
    passenger_count: Number(val('passengers')) || 0,
    last_port_calls: [...callsBox.querySelectorAll('.port-call')].map((row) => {
      const at = (name) => {
        const v = row.querySelector(`[name=${name}]`).value.trim();
        return v ? `${v.slice(0, 16)}:00Z` : '';
      };
      return { locode: row.querySelector('[name=locode]').value.trim().toUpperCase(), arrived: at('arrived'), departed: at('departed') };
    }),
    // datetime-local has no zone: the form says UTC, so it is read as UTC.
    eta_inspection_area: val('eta') ? `${val('eta').slice(0, 16)}:00Z` : '',
    documents: c.documents,
    wfp: form.elements.wfp.checked,
    perishable: form.elements.perishable.checked,
  });

  form.elements.eta.addEventListener('input', () => showEta(form.elements.eta.value));
  form.elements.eta.addEventListener('change', () => showEta(form.elements.eta.value));

  /**
   * Marks each field with its problem; returns the problems that stop the
   * form being sent (the eligibility rules' are shown, and left to the server).
   */
  const check = () => {
    const problems = formProblems(read(), new Date(), { submittedAt, currentEta, rules });
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const calls = [...callsBox.querySelectorAll('.port-call')];
    for (const p of problems) {
      const key = p.field.startsWith('cargo') ? 'cargo' : p.field;
      const err = form.querySelector(`#f-${key}-error`);
      if (err) err.textContent = err.textContent ? `${err.textContent} ${p.message}` : p.message;
      // A cargo line's problem marks that line's tonnage (cargo-<i>).
      const line = /^cargo-(\d+)$/.exec(p.field);
      const input = p.field === 'port_calls' ? calls[p.index]?.querySelector(`[name=${p.input}]`)
        : line ? cargoBox.querySelectorAll('.cargo-line')[Number(line[1])]?.querySelector('[name=tonnes]')
          : form.querySelector(`#f-${key}`);
      input?.setAttribute('aria-invalid', 'true');
    }
    return problems.filter((p) => !p.rule);
  };
  return { form, read, check };
}

/**
 * What an amendment changed, field by field: `[{field, before, after}]`,
 * `null` where a field is absent. Fields are dotted paths of the content
 * (`vessel.mmsi`, `cargo.0.tonnes`); documents are compared by kind, as
 * `Documents: Crew list` with the file names.
 */
export function contentChanges(before, after) {
  const flat = (v, path, out) => {
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) flat(x, path ? `${path}.${k}` : k, out);
    } else if (path) {
      out.set(path, v);
    }
    return out;
  };
  const fields = ({ documents: _, ...rest } = {}) => flat(rest, '', new Map());
  const a = fields(before);
  const b = fields(after);
  const out = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (a.get(k) !== b.get(k)) out.push({ field: k, before: a.get(k) ?? null, after: b.get(k) ?? null });
  }
  const docs = (c) => new Map((c?.documents || []).map((d) => [d.kind, d]));
  const da = docs(before);
  const db = docs(after);
  for (const kind of [...new Set([...da.keys(), ...db.keys()])].sort()) {
    const x = da.get(kind);
    const y = db.get(kind);
    if (x?.sha256 !== y?.sha256) out.push({ field: `Documents: ${documentLabel(kind)}`, before: x ? x.filename : null, after: y ? y.filename : null });
  }
  return out;
}
