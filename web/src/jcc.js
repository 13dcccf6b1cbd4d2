// The vessel-movements table in the JCC's own columns: one row per cargo
// line, the first line of a voyage "Outbound", further lines "Outbound +",
// as the JCC published it.
import { fmtTonnes, jccDate } from './format.js';

export const JCC_COLUMNS = [
  'Status', '#', 'Vessel name', 'IMO', 'Departure port', 'Country', 'Commodity', 'Metric tons',
  'Departure date', 'Inspection cleared', 'Income group', 'Flag', 'World Bank region', 'UN region',
  'Development category', 'WFP',
];

function statusWord(direction, first) {
  const word = direction === 'inbound' ? 'Inbound' : 'Outbound';
  return first ? word : `${word} +`;
}

/**
 * Voyages (API shape) -> rows keyed by JCC column. `typed` keeps numbers
 * and dates as JSON values (for the JSON download); otherwise every cell is
 * the text the JCC printed (for CSV).
 */
export function jccRows(voyages, { typed = false } = {}) {
  const rows = [];
  for (const v of voyages) {
    const lines = v.cargo && v.cargo.length ? v.cargo : [null];
    lines.forEach((c, i) => {
      rows.push({
        Status: statusWord(v.direction, i === 0),
        '#': typed ? v.seq : String(v.seq),
        'Vessel name': v.vessel_name,
        IMO: typed ? v.imo : String(v.imo),
        'Departure port': v.port_name,
        Country: c ? c.destination : '',
        Commodity: c ? c.commodity : '',
        'Metric tons': c ? (typed ? c.tonnes : fmtTonnes(c.tonnes)) : '',
        'Departure date': typed ? v.departure : jccDate(v.departure),
        'Inspection cleared': typed ? v.inspection_cleared ?? null : jccDate(v.inspection_cleared),
        'Income group': c ? c.income_group : '',
        Flag: v.flag_name ?? '',
        'World Bank region': c ? c.world_bank_region : '',
        'UN region': c ? c.un_region : '',
        'Development category': c ? c.development_category : '',
        // The JCC wrote "WFP" or nothing; null where the source had no column.
        WFP: c ? (typed ? c.wfp ?? null : c.wfp ? 'WFP' : '') : '',
      });
    });
  }
  return rows;
}

function csvCell(s) {
  const t = s == null ? '' : String(s);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** RFC 4180 CSV with the JCC header, CRLF line ends. */
export function toCsv(voyages) {
  const lines = [JCC_COLUMNS.map(csvCell).join(',')];
  for (const r of jccRows(voyages)) lines.push(JCC_COLUMNS.map((k) => csvCell(r[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(voyages) {
  return `${JSON.stringify(jccRows(voyages, { typed: true }), null, 1)}\n`;
}
