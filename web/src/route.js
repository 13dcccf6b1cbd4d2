// Hash routes: #/path?key=value. The period (from, until) is shared by every
// screen and kept across navigation; other keys belong to one screen.

export const GLOBAL_KEYS = ['from', 'until'];

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  return { path: path || '/', params: Object.fromEntries(new URLSearchParams(qs)) };
}

/** The link for a screen, carrying the period along. */
export function href(path, params = {}, { keepPeriod = true } = {}) {
  const cur = current().params;
  const all = {};
  if (keepPeriod) for (const k of GLOBAL_KEYS) if (cur[k]) all[k] = cur[k];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') delete all[k];
    else all[k] = v;
  }
  const qs = new URLSearchParams(all).toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function go(path, params, opts) {
  const next = href(path, params, opts);
  if (next !== location.hash) location.hash = next;
}
