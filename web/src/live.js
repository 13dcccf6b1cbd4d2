// The live feed (/api/v1/live, Server-Sent Events) read with fetch rather
// than EventSource: fetch tells a missing endpoint (404: "not available
// yet") from a dropped connection (reconnect), and logs nothing for either.

/** Splits an SSE byte stream into {event, data, id} messages. */
export function sseParser(onMessage) {
  let buf = '';
  let event = '';
  let data = [];
  let id = null;
  return (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) onMessage({ event: event || 'message', data: data.join('\n'), id });
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue; // comment / keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  };
}

/** Sorts one decoded message into positions, alerts and acknowledgements. */
export function classify(event, payload, handlers) {
  const { onPosition, onAlert, onAcknowledgement, onLagged } = handlers;
  // Too slow to keep up: the server dropped this many events, alerts among
  // them perhaps; whoever must not miss one reads them again.
  if (event === 'lagged') {
    onLagged?.(Number(payload) || 0);
    return;
  }
  if (Array.isArray(payload)) {
    for (const p of payload) classify(event, p, handlers);
    return;
  }
  if (!payload || typeof payload !== 'object') return;
  // A coordinator acknowledged an alert (as /alerts/acknowledgements lists it).
  if (event === 'acknowledgement') {
    if (typeof payload.key === 'string') onAcknowledgement?.(payload);
    return;
  }
  // Either named events or a {type, ...} / {position: {...}} envelope.
  const type = event !== 'message' ? event : payload.type;
  const inner = payload.position || payload.alert || payload.data || payload;
  if (type === 'alert' || payload.alert || (inner.kind && inner.id != null && inner.lat === undefined)) onAlert?.(inner);
  else if (typeof inner.lat === 'number' && typeof inner.lon === 'number') onPosition?.(inner);
}

/**
 * Follows the live feed until the returned function is called. Status is
 * one of connecting, live, reconnecting, unavailable (404), error.
 */
export function subscribeLive({ onPosition, onAlert, onAcknowledgement, onLagged, onStatus, url = '/api/v1/live' }) {
  const ctl = new AbortController();
  let retry = 1000;

  async function run() {
    while (!ctl.signal.aborted) {
      onStatus?.('connecting');
      try {
        const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: ctl.signal, cache: 'no-store' });
        if (res.status === 404) {
          onStatus?.('unavailable');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
        onStatus?.('live');
        retry = 1000;
        const parse = sseParser(({ event, data }) => {
          let payload;
          try {
            payload = JSON.parse(data);
          } catch {
            return; // not JSON: not ours to show
          }
          classify(event, payload, { onPosition, onAlert, onAcknowledgement, onLagged });
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch (e) {
        if (ctl.signal.aborted) return;
      }
      onStatus?.('reconnecting');
      await new Promise((r) => setTimeout(r, retry));
      retry = Math.min(retry * 2, 30000);
    }
  }
  run();
  return () => ctl.abort();
}

// Vessels tracked, in the order a watcher needs them: deviating first, then
// those in the corridor, then unknown, then traffic outside it; by name
// within each (numbers in names in numeric order: VESSEL 2 before VESSEL 10).
const ATTENTION = { deviating: 0, inside: 1, unknown: 2, outside: 3 };
export function byAttention(a, b) {
  const rank = (v) => ATTENTION[v.state] ?? 2;
  return rank(a) - rank(b)
    || String(a.name || a.mmsi).localeCompare(String(b.name || b.mmsi), 'en', { numeric: true });
}

/** A vessel not heard for this long is called silent in the list. */
export const SILENT_AFTER_MS = 60 * 60 * 1000;

/**
 * How long a vessel has been silent, as text ("silent 75 min", "silent
 * 43 h"), or '' while it reports. Counted against `latest`, the newest
 * report of any vessel (the feed's own clock: a replayed feed runs
 * behind the wall clock), so a vessel is silent when others report and
 * it does not.
 */
export function silence(v, latest) {
  const at = Date.parse(v?.time);
  const now = Date.parse(latest);
  if (!Number.isFinite(at) || !Number.isFinite(now)) return '';
  const ms = now - at;
  if (ms < SILENT_AFTER_MS) return '';
  const minutes = Math.floor(ms / 60000);
  return minutes < 120 ? `silent ${minutes} min` : `silent ${Math.floor(minutes / 60)} h`;
}
