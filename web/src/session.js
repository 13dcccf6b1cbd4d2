// Who is signed in, in this tab. The bearer token lives in sessionStorage
// (one tab, gone when it closes); the role comes from /auth/me, never from
// anything the page stores, so a stale tab cannot claim a role it lost.
import { getJSON, postJSON, request, token } from './api.js';

let me = null; // {actor, role: {role, company?, party?}, username}
let pending = null;
let pendingFor = null; // the token `pending` asks about
let lapsed = null; // who was signed in when the token ended, until someone signs in
let unchecked = false; // the last /auth/me failed without an answer about the token

// A request answered 401 with our token (api.js): the user is signed out,
// but the screen is not redrawn: what they typed stays, and the page asks
// them to sign in again (main.js, on corridor:session-lapsed).
if (typeof window !== 'undefined') {
  window.addEventListener('corridor:session-expired', () => {
    if (!me) return;
    lapsed = me;
    me = null;
    window.dispatchEvent(new Event('corridor:session-lapsed'));
  });
}

/** The user whose session ended in this tab without signing out, or null. */
export function lapsedUser() {
  return lapsed;
}

/** The working screen of each role, with its navigation label. */
export const HOME = {
  agent: { path: '/agent', label: 'My applications' },
  delegate: { path: '/review', label: 'Review' },
  inspector: { path: '/inspect', label: 'Inspections' },
  coordinator: { path: '/coordinate', label: 'Coordination' },
  admin: { path: '/admin', label: 'Administration' },
};

/**
 * The signed-in user, or null for the public (asks the server once). Only
 * the server saying no (401) signs the tab out; a network failure or a
 * server error rejects, and the token is kept for the next try.
 */
export function whoami() {
  const t = token.get();
  if (me || !t) return Promise.resolve(me);
  // A question asked with an older token says nothing about this one.
  if (!pending || pendingFor !== t) {
    pendingFor = t;
    const asked = getJSON('/auth/me')
      .then((m) => {
        if (token.get() !== t) return whoami();
        me = { ...m, username: m.actor.replace(/^user:/, '') };
        // The header said it could not check: it can now.
        if (unchecked) window.dispatchEvent(new Event('corridor:session-checked'));
        unchecked = false;
        return me;
      }, (e) => {
        if (token.get() !== t) return whoami();
        if (e.status !== 401) {
          unchecked = true;
          throw e;
        }
        unchecked = false;
        // An expired or revoked token: back to the public view.
        token.set(null);
        sessionStorage.removeItem('corridor.token_id');
        return null;
      })
      .finally(() => {
        if (pending === asked) pending = null;
      });
    pending = asked;
  }
  return pending;
}

export async function signIn(username, password) {
  const t = await postJSON('/auth/login', { username, password, label: `web ${navigator.userAgent.slice(0, 40)}` });
  token.set(t.token);
  sessionStorage.setItem('corridor.token_id', t.token_id);
  me = null;
  lapsed = null;
  return whoami();
}

export async function signOut() {
  const id = sessionStorage.getItem('corridor.token_id');
  if (id && token.get()) {
    // Revoke it on the server too, so the token is worthless if it leaked.
    await request('DELETE', `/auth/tokens/${encodeURIComponent(id)}`).catch(() => {});
  }
  token.set(null);
  sessionStorage.removeItem('corridor.token_id');
  // Signed out on purpose: not a session that ended under the user (api.js).
  sessionStorage.removeItem('corridor.session_ended');
  me = null;
  lapsed = null;
}

export function roleName(role) {
  if (!role) return 'public';
  if (role.role === 'agent') return `agent, ${role.company}`;
  if (role.role === 'delegate') return `delegate of ${role.party}`;
  return role.role;
}
