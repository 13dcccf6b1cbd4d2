// The server's JSON API (/api/v1). Every error the server sends is
// {error: {code, message}}; a 404 on an endpoint that other parts of the
// system add later is reported as NotAvailable so screens can say so.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class NotAvailable extends ApiError {}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The signed-in user's bearer token (see session.js); kept per tab.
const TOKEN_KEY = 'corridor.token';
// Set when the tab's session ended under the user (until someone signs in):
// an action sent after that, with no token, is told the same as one sent
// just before.
const ENDED_KEY = 'corridor.session_ended';
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => {
    if (t) {
      sessionStorage.setItem(TOKEN_KEY, t);
      sessionStorage.removeItem(ENDED_KEY);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  },
};

const SIGNED_OUT = 'You are signed out: your session ended. Sign in again at the top of the page; what you typed is kept.';

/**
 * One request to /api/v1. `body` is sent as JSON unless it is a Blob or
 * ArrayBuffer (a document upload). Errors are ApiError with the server's
 * own code and message. `raw` gives a successful answer as a Blob.
 */
export async function request(method, path, { params, body, signal, raw = false } = {}) {
  const headers = { accept: 'application/json' };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}${query(params)}`, { method, headers, body: payload, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (res.status === 204) return null;
  if (raw && res.ok) return res.blob();
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    // Stopped while the body was read (the screen left): not an answer.
    if (e.name === 'AbortError') throw e;
    // A non-JSON body (a proxy's error page): reported below by status.
  }
  // Sent with a token the tab has since replaced (signed in again while it
  // was under way): the answer is about the old session, and the new one
  // stays signed in. A read is asked again as the new session; an action
  // is not redone behind the user's back (it may be someone else now).
  if (res.status === 401 && t && token.get() && token.get() !== t && path !== '/auth/login') {
    if (method === 'GET') return request(method, path, { params, signal, raw });
    throw new ApiError(401, data?.error?.code ?? 'unauthorized', 'Not done: the session it was sent in had ended. Do it again now that you are signed in.');
  }
  // The token expired or was revoked: this tab is signed out (session.js
  // forgets the user; the screen stays, with a notice to sign in again).
  // Only if it is still the tab's token: a slow request sent before the
  // user signed in again must not sign the new session out.
  if (res.status === 401 && t && path !== '/auth/login' && token.get() === t) {
    token.set(null);
    sessionStorage.removeItem('corridor.token_id');
    sessionStorage.setItem(ENDED_KEY, '1');
    window.dispatchEvent(new Event('corridor:session-expired'));
    // Said where the action was too: on a phone the notice at the top of the page may be out of view.
    throw new ApiError(401, data?.error?.code ?? 'unauthorized', SIGNED_OUT);
  }
  // Sent after a background request found the session ended (no token
  // left), or with the ended token alongside the request that found it.
  // Sent with no token, an action is refused as the public's: 401, or 403
  // where the public may not do it ("only the coordinator…"), which would
  // blame the role the user still has.
  const ended = !token.get() && path !== '/auth/login' && sessionStorage.getItem(ENDED_KEY);
  if (ended && (res.status === 401 || (res.status === 403 && !t))) {
    throw new ApiError(401, data?.error?.code ?? 'unauthorized', SIGNED_OUT);
  }
  if (!res.ok) {
    const code = data?.error?.code ?? `http_${res.status}`;
    const message = data?.error?.message ?? `The server answered ${res.status}.`;
    throw res.status === 404 ? new NotAvailable(404, code, message) : new ApiError(res.status, code, message);
  }
  return data;
}

export function getJSON(path, params, { signal } = {}) {
  return request('GET', path, { params, signal });
}

export function postJSON(path, body, opts = {}) {
  return request('POST', path, { ...opts, body: body ?? {} });
}

export function putJSON(path, body, opts = {}) {
  return request('PUT', path, { ...opts, body });
}

const statsCache = new Map();

/** /stats for a period; cached, since every screen shows the figures. */
export function getStats(from, until) {
  const key = `${from || ''}|${until || ''}`;
  if (!statsCache.has(key)) {
    const p = getJSON('/stats', { from, until });
    p.catch(() => statsCache.delete(key));
    statsCache.set(key, p);
  }
  return statsCache.get(key);
}

/**
 * The record's voyages matching `filters` in the JCC's table (`csv` or
 * `json`), as the server streams it: one request, read as it arrives, so a
 * million lines cost one query, not a thousand pages. `onProgress(bytes)`
 * follows it. A refusal keeps the server's own message; a body cut short
 * (the server failed part-way) is an error, never a short file.
 */
export async function downloadTable(filters, format, { signal, onProgress } = {}) {
  let res;
  try {
    res = await fetch(`/api/v1/voyages/export${query({ ...filters, format })}`, { headers: { accept: '*/*' }, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (!res.ok) {
    let data = null;
    try {
      data = await res.json();
    } catch {
      // not JSON: said by status below
    }
    throw new ApiError(res.status, data?.error?.code ?? `http_${res.status}`, data?.error?.message ?? `The server answered ${res.status}.`);
  }
  const chunks = [];
  let bytes = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      onProgress?.(bytes);
    }
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'cut_short', 'The download stopped before the end (the server or the connection failed); nothing was saved. Try again.');
  }
  return new Blob(chunks, { type: res.headers.get('content-type') || 'application/octet-stream' });
}
