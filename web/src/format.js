// Number and date formatting. Tonnes come from the API exact to the
// kilogram (at most 3 decimals), so three fraction digits never round a
// figure the API gave.

const tonnesFmt = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 });
const intFmt = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const pctFmt = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 31744756 -> "31,744,756"; 2436.99 -> "2,436.99". */
export function fmtTonnes(t) {
  return t == null ? '' : tonnesFmt.format(t);
}

export function fmtInt(n) {
  return n == null ? '' : intFmt.format(n);
}

/** Share in percent with one decimal: "50.9". */
export function fmtPct(part, whole) {
  return whole ? pctFmt.format((100 * part) / whole) : '0.0';
}

/** Short tonnage for chart axes: 1.2M, 850k. */
export function fmtTonnesShort(t) {
  if (Math.abs(t) >= 1e6) return `${+(t / 1e6).toFixed(1)}M`;
  if (Math.abs(t) >= 1e3) return `${+(t / 1e3).toFixed(0)}k`;
  return String(t);
}

/** "2023-06-14" -> "14 Jun 2023" (the date as given, no time zone shift). */
export function fmtDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}`;
}

/** "2023-06" -> "Jun 2023". */
export function fmtMonth(ym) {
  const [y, m] = ym.split('-');
  return `${MONTHS[Number(m) - 1]} ${y}`;
}

/** "2023-06-04" -> "4-Jun-2023", the JCC's own date format (day unpadded). */
export function jccDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${Number(d)}-${MONTHS[Number(m) - 1]}-${y}`;
}

/** An RFC 3339 timestamp shown in UTC, to the minute. */
export function fmtTimestamp(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return `${fmtDate(d.toISOString().slice(0, 10))} ${d.toISOString().slice(11, 16)} UTC`;
}
