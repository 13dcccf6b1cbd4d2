// Who is signed in, in this tab. The bearer token lives in sessionStorage
// (one tab, gone when it closes); the role comes from /auth/me, never from
// anything the page stores, so a stale tab cannot claim a role it lost.
import { getJSON, postJSON, request, token } from './api.js';

let me = null; // {actor, role: {role, company?, party?}, username}
let pending = null;

// A request answered 401 with our token (api.js): forget the user, and let
// the page redraw itself for the public.
if (typeof window !== 'undefined') {
  window.addEventListener('corridor:session-expired', () => {
    if (!me) return;
    me = null;
    window.dispatchEvent(new Event('corridor:session'));
  });
}

/** The working screen of each role, with its navigation label. */
export const HOME = {
  agent: { path: '/agent', label: 'My applications' },
  delegate: { path: '/review', label: 'Review' },
  inspector: { path: '/inspect', label: 'Inspections' },
  coordinator: { path: '/coordinate', label: 'Coordination' },
};

/** The signed-in user, or null for the public (asks the server once). */
export function whoami() {
  if (me || !token.get()) return Promise.resolve(me);
  if (!pending) {
    pending = getJSON('/auth/me')
      .then((m) => {
        me = { ...m, username: m.actor.replace(/^user:/, '') };
        return me;
      })
      .catch(() => {
        // An expired or revoked token: back to the public view.
        token.set(null);
        return null;
      })
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

export async function signIn(username, password) {
  const t = await postJSON('/auth/login', { username, password, label: `web ${navigator.userAgent.slice(0, 40)}` });
  token.set(t.token);
  sessionStorage.setItem('corridor.token_id', t.token_id);
  me = null;
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
  me = null;
}

export function roleName(role) {
  if (!role) return 'public';
  if (role.role === 'agent') return `agent, ${role.company}`;
  if (role.role === 'delegate') return `delegate of ${role.party}`;
  return role.role;
}
