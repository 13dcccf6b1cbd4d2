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

// Times of day. The public record's timestamps are shown in UTC; the
// working screens show the centre's own clock (the JCC worked in Istanbul
// time), always with the zone named, so "07:00" is never a guess.

/** The coordination centre's time zone, unless the server names one (a plan's `time_zone`). */
export const CENTRE_TIME_ZONE = 'Europe/Istanbul';

/** Whether `timeZone` is one this browser knows (an unknown one makes Intl throw). */
export function knownZone(timeZone) {
  if (typeof timeZone !== 'string' || !timeZone) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

// The zone the server last named for the centre (a plan's or the day's
// `time_zone`): the zone is configured per deployment, Istanbul only by default.
let serverZone = null;

/** The centre's zone: the server's once it has named one, else CENTRE_TIME_ZONE. */
export function centreZone() {
  return serverZone || CENTRE_TIME_ZONE;
}

/** Takes the zone a server answer names (ignored if missing or unknown here); returns centreZone(). */
export function learnZone(timeZone) {
  if (knownZone(timeZone)) serverZone = timeZone;
  return centreZone();
}

/** Whether `s` is a real calendar day written YYYY-MM-DD (not "2023-02-30", not "tomorrow"). */
export function isDay(s) {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const wallFormats = new Map();
function wallFormat(timeZone) {
  if (!wallFormats.has(timeZone)) {
    wallFormats.set(timeZone, new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
    }));
  }
  return wallFormats.get(timeZone);
}

/** "GMT+3" -> "UTC+3"; "GMT", "GMT+0" -> "UTC". */
const offsetLabel = (name) => (/^(GMT|UTC)([+-]0)?$/.test(name) ? 'UTC' : name.replace(/^GMT/, 'UTC'));

/**
 * What a clock in `timeZone` shows at instant `at` (Date, ms or RFC 3339):
 * {date: "YYYY-MM-DD", time: "HH:MM", zone: "UTC+3"}.
 */
export function wallClock(at, timeZone = 'UTC') {
  const d = at instanceof Date ? at : new Date(at);
  const p = Object.fromEntries(wallFormat(timeZone).formatToParts(d).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, zone: offsetLabel(p.timeZoneName || 'GMT') };
}

/** The day it is in `timeZone` at `at` (the working day, not UTC's). */
export function dayIn(timeZone, at = new Date()) {
  return wallClock(at, timeZone).date;
}

/** "2023-06-30" + 1 -> "2023-07-01" (calendar days, no zone involved). */
export function addDays(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The zone's offset from UTC at an instant, in minutes (Istanbul: 180). */
function offsetMinutes(ms, timeZone) {
  const w = wallClock(ms, timeZone);
  const [y, mo, d] = w.date.split('-').map(Number);
  const [hh, mm] = w.time.split(':').map(Number);
  return Math.round((Date.UTC(y, mo - 1, d, hh, mm) - Math.floor(ms / 60000) * 60000) / 60000);
}

/**
 * The instant a clock in `timeZone` shows `time` ("HH:MM") on `date`
 * ("YYYY-MM-DD"), as a Date. A time skipped by a clock change is taken
 * with the offset before it.
 */
export function zonedInstant(date, time, timeZone) {
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, d, hh, mm);
  const first = offsetMinutes(guess, timeZone);
  const second = offsetMinutes(guess - first * 60000, timeZone);
  return new Date(guess - second * 60000);
}

/** The zone's name for a heading: "Istanbul time (UTC+3)", or "UTC". */
export function zoneName(timeZone, at = new Date()) {
  const { zone } = wallClock(at, timeZone);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 'UTC';
  const city = timeZone.split('/').pop().replace(/_/g, ' ');
  return `${city} time (${zone})`;
}

/**
 * An RFC 3339 timestamp to the minute, with its zone: in UTC for the public
 * record ("14 Jun 2023 04:00 UTC"), or in `timeZone` ("14 Jun 2023 07:00 UTC+3").
 */
export function fmtTimestamp(ts, timeZone = 'UTC') {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const w = wallClock(d, timeZone);
  return `${fmtDate(w.date)} ${w.time} ${w.zone}`;
}

/** A timestamp on the centre's clock, for the working screens. */
export function fmtWorkTime(ts) {
  return fmtTimestamp(ts, centreZone());
}

/** A plan's "HH:MM" (local time in `timeZone` on `date`) with its zone: "07:00 UTC+3". */
export function fmtClock(hhmm, date, timeZone = centreZone()) {
  if (!hhmm) return '';
  return `${hhmm} ${wallClock(zonedInstant(date, hhmm, timeZone), timeZone).zone}`;
}
