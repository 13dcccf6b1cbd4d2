// The JCC export reproduces the JCC's own rows, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { JCC_COLUMNS, jccRows, toCsv, toJson } from '../../src/jcc.js';

// shared/ beside the clone, or the repository's own copy.
const SOURCES = [
  new URL('../../../../shared/data/jcc/bsgi_outbound_shipments_2023-06-14.csv', import.meta.url),
  new URL('../../../data/jcc/bsgi_outbound_shipments_2023-06-14.csv', import.meta.url),
];

const line = (over) => ({
  commodity: 'Corn', tonnes: 18137, destination: 'Spain', destination_iso3: 'ESP', income_group: 'high-income',
  world_bank_region: 'Europe & Central Asia', un_region: 'Western Europe and Others', development_category: 'developed', wfp: false, ...over,
});
const voyage981 = {
  id: 1, direction: 'outbound', seq: 981, vessel_name: 'SSI AVENGER', imo: 9284544, flag: 'MH', flag_name: 'Marshall Islands',
  port: 'UAILK', port_name: 'Chornomorsk', departure: '2023-06-14', inspection_cleared: null, status: 'departed', tonnes: 47100,
  cargo: [line(), line({ commodity: 'Soya beans', tonnes: 28963, destination: 'France', destination_iso3: 'FRA' })],
  as_of: '2023-06-14', source: 'bsgi_outbound_shipments_2023-06-14.csv',
};

test('CSV header is the JCC header', () => {
  const header = toCsv([]).split('\r\n')[0];
  assert.equal(header, 'Status,#,Vessel name,IMO,Departure port,Country,Commodity,Metric tons,Departure date,Inspection cleared,Income group,Flag,World Bank region,UN region,Development category,WFP');
  assert.equal(header, JCC_COLUMNS.join(','));
});

test('a two-line voyage gives the JCC rows "Outbound" and "Outbound +" exactly', { skip: !safeRead() && 'no shared data' }, () => {
  const published = safeRead().split(/\r?\n/).slice(0, 3);
  const ours = toCsv([voyage981]).split('\r\n').slice(0, 3);
  assert.deepEqual(ours, published);
});

test('quotes cells with commas and quotes; decimals kept', () => {
  const v = { ...voyage981, vessel_name: 'A "B", C', cargo: [line({ tonnes: 2436.99, wfp: true })] };
  const row = toCsv([v]).split('\r\n')[1];
  assert.match(row, /^Outbound,981,"A ""B"", C",9284544,Chornomorsk,Spain,Corn,"2,436.99",14-Jun-2023,,/);
  assert.ok(row.endsWith(',WFP'));
});

test('JSON rows keep numbers, ISO dates and null WFP where unpublished', () => {
  const v = { ...voyage981, inspection_cleared: '2023-06-20', cargo: [line({ tonnes: 2436.99, wfp: null })] };
  const [row] = JSON.parse(toJson([v]));
  assert.deepEqual(Object.keys(row), JCC_COLUMNS);
  assert.equal(row['Metric tons'], 2436.99);
  assert.equal(row['#'], 981);
  assert.equal(row['Departure date'], '2023-06-14');
  assert.equal(row['Inspection cleared'], '2023-06-20');
  assert.equal(row.WFP, null);
  assert.equal(jccRows([v])[0].WFP, '');
});

function safeRead() {
  for (const source of SOURCES) {
    try {
      return readFileSync(source, 'utf8');
    } catch {
      // try the next
    }
  }
  return null;
}
