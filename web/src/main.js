// The page shell: period form, headline figures, and the screen router.
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { getJSON, getStats } from './api.js';
import { h, mount, notice } from './dom.js';
import { fmtDate, fmtInt, fmtTimestamp, fmtTonnes } from './format.js';
import { current, go, href } from './route.js';
import { overviewScreen } from './screens/overview.js';
import { movementsScreen } from './screens/movements.js';
import { vesselScreen } from './screens/vessel.js';
import { mapScreen } from './screens/map.js';
import { accountabilityScreen } from './screens/accountability.js';
import { queueScreen } from './screens/queue.js';
import { loginScreen } from './screens/login.js';
import { agentApplicationScreen, agentListScreen, agentNewScreen } from './screens/agent.js';
import { reviewApplicationScreen, reviewListScreen } from './screens/review.js';
import { inspectApplicationScreen, inspectListScreen } from './screens/inspect.js';
import { coordinateScreen } from './screens/coordinate.js';
import { adminScreen } from './screens/admin.js';
import { HOME, lapsedUser, roleName, signIn, signOut, whoami } from './session.js';

// The corridor's own name (GET /corridor's `name`) and whose view this is,
// for the header: this server may run any corridor, not only the Black Sea's.
let corridorName = '';
let viewer = 'public record';

const main = document.getElementById('main');
const periodForm = document.getElementById('period');
let teardown = null;
let lastPath = null;
// Whether the user typed into the screen shown (a redraw would lose it).
let typedHere = false;
main.addEventListener('input', () => { typedHere = true; });

// Every headline number is the API's own, formatted; the raw value is kept
// in data-value so anyone (and the tests) can compare it with /stats.
const FIGURES = {
  tonnes: (s) => `${fmtTonnes(s.tonnes)}`,
  voyages: (s) => fmtInt(s.voyages),
  cargo_lines: (s) => fmtInt(s.cargo_lines),
  wfp_tonnes: (s) => `${fmtTonnes(s.wfp_tonnes)}`,
};

let figuresSeq = 0;
async function renderFigures(from, until) {
  const period = document.getElementById('figures-period');
  const dl = document.getElementById('figures');
  const seq = ++figuresSeq; // a slower, older answer must not overwrite a newer one
  dl.setAttribute('aria-busy', 'true');
  try {
    const s = await getStats(from, until);
    if (seq !== figuresSeq) return;
    for (const [key, fmt] of Object.entries(FIGURES)) {
      const dd = dl.querySelector(`[data-figure="${key}"]`);
      dd.textContent = fmt(s);
      dd.dataset.value = String(s[key]);
    }
    period.textContent = from || until
      ? `Departures ${from ? `from ${fmtDate(from)}` : ''} ${until ? `until ${fmtDate(until)}` : ''}`.replace(/\s+/g, ' ').trim()
      : 'The whole record';
    dl.dataset.state = 'ready';
  } catch (e) {
    if (seq !== figuresSeq) return;
    for (const dd of dl.querySelectorAll('dd')) {
      dd.textContent = '—';
      delete dd.dataset.value;
    }
    period.replaceChildren(notice('error', `Figures unavailable: ${e.message}`));
    dl.dataset.state = 'error';
  } finally {
    if (seq === figuresSeq) dl.removeAttribute('aria-busy');
  }
}

function syncPeriodForm(params) {
  periodForm.elements.from.value = params.from || '';
  periodForm.elements.until.value = params.until || '';
}

// Say what is wrong before asking the server (it refuses from > until).
periodForm.addEventListener('input', () => periodForm.elements.until.setCustomValidity(''));
periodForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const { path, params } = current();
  const from = periodForm.elements.from.value;
  const until = periodForm.elements.until.value;
  if (from && until && from > until) {
    periodForm.elements.until.setCustomValidity('The end of the period is before its start.');
    periodForm.reportValidity();
    return;
  }
  // A new period starts lists from their first page.
  go(path, { ...params, from, until, page: undefined });
});

document.getElementById('period-reset').addEventListener('click', () => {
  const { path, params } = current();
  go(path, { ...params, from: undefined, until: undefined, page: undefined });
});

const SCREENS = [
  { match: /^\/$/, screen: overviewScreen, nav: '/', title: 'Overview' },
  { match: /^\/movements$/, screen: movementsScreen, nav: '/movements', title: 'Vessel movements' },
  { match: /^\/map$/, screen: mapScreen, nav: '/map', title: 'Map', noPeriod: true },
  { match: /^\/vessels\/(\d{1,9})$/, screen: vesselScreen, nav: '/movements', title: 'Vessel' },
  { match: /^\/queue$/, screen: queueScreen, nav: '/queue', title: 'Queue', noPeriod: true },
  { match: /^\/accountability$/, screen: accountabilityScreen, nav: '/accountability', title: 'Decisions', noPeriod: true },
  { match: /^\/login$/, screen: loginScreen, nav: '/login', title: 'Sign in', work: true },
  { match: /^\/agent$/, screen: agentListScreen, nav: '/agent', title: 'My applications', work: true },
  { match: /^\/agent\/new$/, screen: agentNewScreen, nav: '/agent', title: 'New application', work: true },
  { match: /^\/agent\/applications\/([A-Za-z0-9-]+)$/, screen: agentApplicationScreen, nav: '/agent', title: 'Application', work: true },
  { match: /^\/review$/, screen: reviewListScreen, nav: '/review', title: 'Review', work: true },
  { match: /^\/review\/([A-Za-z0-9-]+)$/, screen: reviewApplicationScreen, nav: '/review', title: 'Application', work: true },
  { match: /^\/inspect$/, screen: inspectListScreen, nav: '/inspect', title: 'Inspections', work: true },
  { match: /^\/inspect\/([A-Za-z0-9-]+)$/, screen: inspectApplicationScreen, nav: '/inspect', title: 'Inspection', work: true },
  { match: /^\/coordinate$/, screen: coordinateScreen, nav: '/coordinate', title: 'Coordination', work: true },
  { match: /^\/admin$/, screen: adminScreen, nav: '/admin', title: 'Administration', work: true },
];

// The signed-in user's name and their working screen in the header.
async function renderSession() {
  const box = document.getElementById('session');
  let me;
  try {
    me = await whoami();
  } catch (e) {
    // Not known (offline, a server error): the token is kept; try again later.
    mount(box, h('span', { id: 'session-unknown' }, 'Sign-in not checked: the server could not be reached.'), ' ',
      h('button', { type: 'button', class: 'secondary', onclick: () => window.dispatchEvent(new Event('corridor:session')) }, 'Retry'));
    return;
  }
  const navList = document.querySelector('header.site nav ul');
  navList.querySelector('[data-role-nav]')?.remove();
  // The header says whose view this is: the public record, or a role's.
  const sub = document.querySelector('.brand-sub');
  viewer = me ? roleName(me.role) : 'public record';
  if (sub) sub.textContent = `${corridorName ? `${corridorName} · ` : ''}${viewer}`;
  if (!me) {
    mount(box, h('a', { href: '#/login', 'data-nav': '/login', id: 'sign-in' }, 'Sign in'));
    return;
  }
  const home = HOME[me.role.role];
  if (home) {
    navList.append(h('li', { 'data-role-nav': '' }, h('a', { href: `#${home.path}`, 'data-nav': home.path }, home.label)));
  }
  mount(box, h('span', { id: 'signed-in', 'data-role': me.role.role }, `${me.username} (${roleName(me.role)})`), ' ',
    h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: async () => {
      await signOut();
      window.dispatchEvent(new Event('corridor:session'));
      location.hash = '#/';
    } }, 'Sign out'));
}

async function render() {
  const { path, params } = current();
  syncPeriodForm(params);
  renderFigures(params.from, params.until);
  corridorBanner();

  const found = SCREENS.find((s) => s.match.test(path));
  // The working screens are tools, not the public record: no period form
  // or headline figures taking a phone's first screen.
  document.body.dataset.screen = found?.work ? 'work' : 'public';
  // Live screens (the map, the queue, the decisions) are now, not a period:
  // a From/Until form there would change nothing on them.
  document.body.dataset.period = found?.noPeriod ? 'none' : 'shown';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (found && a.dataset.nav === found.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  // Screens may keep state across a change of filters on the same path
  // (the map should not be rebuilt when the period changes).
  if (teardown && (path !== lastPath || !teardown.update)) {
    teardown.destroy?.();
    teardown = null;
  }
  const pathChanged = path !== lastPath;
  lastPath = path;
  typedHere = false;
  if (!found) {
    mount(main, notice('error', 'No such page.'), ' ');
    return;
  }
  const args = path.match(found.match).slice(1);
  if (pathChanged) document.title = `${found.title} — corridor`;
  if (teardown?.update) {
    teardown.update(params, ...args);
  } else {
    teardown = found.screen(main, params, ...args) || null;
  }
  // After following a link to another screen, start reading at its top
  // (not left behind in the header), as a page load would.
  if (pathChanged && followedLink) main.focus({ preventScroll: true });
  followedLink = false;
}

let followedLink = false;
document.addEventListener('click', (ev) => {
  followedLink = Boolean(ev.target.closest?.('a[href^="#/"]'));
});

// The corridor's operating state (clearance API, public): a suspension is
// the first thing anyone should see. Read again on every navigation, every
// CORRIDOR_POLL_MS and when the tab is shown again; an answer overtaken by a
// newer read (or by a coordinator's suspend or resume on this page, which
// reports the server's answer) is dropped. Nothing is shown while the
// server has no such endpoint, and a failed read leaves the banner as it was.
const CORRIDOR_POLL_MS = 60000;
let corridorSeq = 0;
let corridorShown = '';

function nameCorridor(name) {
  if (typeof name !== 'string' || !name || name === corridorName) return;
  corridorName = name;
  const sub = document.querySelector('.brand-sub');
  if (sub) sub.textContent = `${corridorName} · ${viewer}`;
}

function showCorridor(c) {
  nameCorridor(c?.name);
  const key = c?.suspended ? JSON.stringify([c.suspended_since, c.reason_code, c.reason]) : '';
  if (key === corridorShown) return;
  corridorShown = key;
  document.getElementById('corridor-banner')?.remove();
  if (!c?.suspended) return;
  const banner = h('p', { class: 'banner', id: 'corridor-banner', role: 'alert', 'data-since': c.suspended_since || '' },
    h('strong', null, 'The corridor is suspended'),
    c.suspended_since ? ` since ${fmtTimestamp(c.suspended_since)}` : '',
    c.reason_code ? ` (${c.reason_code.replace(/_/g, ' ')})` : '', '.',
    // The suspension's own text (GET /corridor `reason`), as the coordinator wrote it.
    c.reason ? [' ', h('span', { class: 'banner-reason' }, c.reason)] : null);
  document.querySelector('header.site').after(banner);
}

async function corridorBanner() {
  const seq = ++corridorSeq;
  let c;
  try {
    c = await getJSON('/corridor');
  } catch {
    return; // not available on this server, or not now: the banner stays as it was
  }
  if (seq !== corridorSeq || !c || typeof c !== 'object') return;
  showCorridor(c);
  // A screen showing the corridor's state (the coordinator's) hears it too.
  window.dispatchEvent(new CustomEvent('corridor:state', { detail: { state: c, from: 'read' } }));
}

// The answer to a suspend or resume made on this page: newer than any read under way.
window.addEventListener('corridor:state', (ev) => {
  if (ev.detail?.from !== 'action') return;
  corridorSeq++;
  showCorridor(ev.detail.state);
});
setInterval(corridorBanner, CORRIDOR_POLL_MS);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') corridorBanner();
});

/**
 * The session ended under the user (expired, revoked elsewhere): the screen
 * stays as it is, with whatever was typed, and this notice signs them in
 * again in place. The same user carries on where they were; anyone else
 * gets the page redrawn for them.
 */
function lapsedNotice(user) {
  if (document.getElementById('session-lapsed')) return;
  const status = h('span', { class: 'relogin-status', 'aria-live': 'polite' });
  const form = h('form', { class: 'relogin', id: 'relogin-form' },
    h('label', { for: 'relogin-user' }, 'User name'),
    h('input', { id: 'relogin-user', name: 'username', value: user.username, autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
    h('label', { for: 'relogin-password' }, 'Password'),
    h('input', { id: 'relogin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit' }, 'Sign in again'), status);
  const box = h('section', { class: 'banner banner-session', id: 'session-lapsed', 'aria-labelledby': 'session-lapsed-title' },
    h('p', { id: 'session-lapsed-title', role: 'alert' }, h('strong', null, 'You are signed out'),
      ': your session expired or was ended. This page and what you typed are kept; sign in again to carry on.'),
    form,
    h('p', { class: 'relogin-alt' }, h('a', { href: href('/login', { next: current().path }) }, 'Go to the sign-in page instead'), ' (this page is left).'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    mount(status, 'Signing in…');
    try {
      const me = await signIn(form.elements.username.value.trim(), form.elements.password.value);
      dropLapsedNotice();
      if (me?.actor === user.actor) {
        await renderSession();
        // Drawn again with fresh data, unless the user typed into it (then
        // it stays as it is, to be sent again); a sign-in gate always is.
        if (!typedHere || main.querySelector('[data-gate]')) render();
      } else {
        window.dispatchEvent(new Event('corridor:session'));
      }
    } catch (e) {
      mount(status, e.status === 401 ? 'The user name or password is wrong.' : `Could not sign in: ${e.message}`);
      button.disabled = false;
    }
  });
  document.querySelector('header.site').after(box);
  box.release = padBelow(box);
}

/**
 * While `box` sticks to the top of the window, the page's scroll padding is
 * its height, so a field given focus is scrolled clear of it rather than
 * under it (WCAG 2.4.11). Returns the function that stops this.
 */
function padBelow(box) {
  const root = document.documentElement;
  const set = () => {
    if (box.isConnected && getComputedStyle(box).position === 'sticky') {
      root.style.setProperty('--sticky-top', `${Math.ceil(box.getBoundingClientRect().height) + 8}px`);
    } else {
      root.style.removeProperty('--sticky-top');
    }
  };
  const watch = new ResizeObserver(set);
  watch.observe(box);
  window.addEventListener('resize', set);
  set();
  return () => {
    watch.disconnect();
    window.removeEventListener('resize', set);
    root.style.removeProperty('--sticky-top');
  };
}

function dropLapsedNotice() {
  const box = document.getElementById('session-lapsed');
  box?.release?.();
  box?.remove();
}

window.addEventListener('hashchange', render);
window.addEventListener('corridor:session', () => {
  dropLapsedNotice();
  renderSession().then(render);
});
window.addEventListener('corridor:session-checked', () => renderSession());
window.addEventListener('corridor:session-lapsed', () => {
  renderSession();
  const user = lapsedUser();
  if (user) lapsedNotice(user);
});
renderSession().then(render);
