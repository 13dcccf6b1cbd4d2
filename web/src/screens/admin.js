// The administrator's screen: every account (GET /users), creating users
// (POST /users; the list is read again after each; a delegate's party one
// of GET /corridor's `parties`), and the parties' public keys, current and
// retired (GET /parties/keys).
import { getJSON, NotAvailable, postJSON } from '../api.js';
import { h, labelCells, mount, notice, tell } from '../dom.js';
import { fmtWorkTime } from '../format.js';
import { forRole } from './work.js';

const ROLES = [
  ['agent', 'Shipping agent'],
  ['delegate', 'Delegate of a party'],
  ['inspector', 'Inspector'],
  ['coordinator', 'Coordinator'],
  ['admin', 'Administrator'],
];

// As the server checks them (auth.rs: valid_username, password_problem);
// the server's list of common words is its own, and it says so when it refuses.
const MIN_PASSWORD = 12;
const MAX_PASSWORD = 256;

/**
 * Problems with a new user on its face: [{field, message}], as the server
 * would refuse it (user name, password strength, a role's company or
 * party). `parties` are the corridor's party codes, or null while they are
 * not known (then any code is left to the server).
 */
export function newUserProblems({ username, password, role }, parties = null) {
  const out = [];
  const add = (field, message) => out.push({ field, message });
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) add('username', 'The user name is 1 to 64 of A-Z a-z 0-9 - _ . (no spaces).');
  const n = [...password].length;
  if (n < MIN_PASSWORD) add('password', `The password has at least ${MIN_PASSWORD} characters.`);
  else if (n > MAX_PASSWORD) add('password', `The password has at most ${MAX_PASSWORD} characters.`);
  else if ([...username].length >= 3 && password.toLowerCase().includes(username.toLowerCase())) add('password', 'The password must not contain the user name.');
  else if (new Set(password).size < 5) add('password', 'The password needs at least 5 different characters.');
  else if (!/\p{L}/u.test(password)) add('password', 'The password needs letters, not only digits and symbols.');
  if (role.role === 'agent' && !role.company?.trim()) add('company', 'An agent works for a company: name it.');
  if (role.role === 'delegate' && (parties ? !parties.includes(role.party) : !role.party?.trim())) add('party', 'A delegate signs for one of the parties: choose it.');
  return out;
}

/** A role in words: "agent of Danube Shipping", "delegate of UA", "coordinator". */
export function roleText(r = {}) {
  return r.role === 'agent' ? `agent of ${r.company}` : r.role === 'delegate' ? `delegate of ${r.party}` : String(r.role ?? '');
}

/** Every account, by user name, as GET /users gives it; `load()` reads it again. */
function accountsPanel(signal) {
  const box = h('div', { id: 'users', 'aria-live': 'polite' }, notice('info', 'Loading…'));
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    let users;
    try {
      users = await getJSON('/users', null, { signal });
    } catch (e) {
      if (mine !== seq || e.name === 'AbortError') return;
      mount(box, e instanceof NotAvailable ? notice('info', 'This server does not list its users.') : notice('error', `The users could not be loaded: ${e.message}`));
      return;
    }
    if (mine !== seq) return;
    mount(box, users.length ? h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'users-table' },
      h('caption', null, `${users.length} account${users.length === 1 ? '' : 's'}, by user name; created on the centre’s clock.`),
      h('thead', null, h('tr', null, ['User name', 'Role', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, users.map((u) => h('tr', { 'data-username': u.username, 'data-role': u.role?.role ?? '' },
        h('th', { scope: 'row' }, u.username),
        h('td', null, roleText(u.role)),
        h('td', null, fmtWorkTime(u.created_at)))))))) : notice('info', 'No accounts.'));
  };
  load();
  return { box, load };
}

/** The corridor's parties, [code, name], from GET /corridor; null if it cannot say. */
async function corridorParties(signal) {
  try {
    const list = (await getJSON('/corridor', null, { signal }))?.parties;
    const parties = Array.isArray(list) ? list.filter((p) => typeof p?.code === 'string').map((p) => [p.code, String(p.name ?? p.code)]) : [];
    return parties.length ? parties : null;
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return null;
  }
}

function usersPanel(onCreated, signal) {
  const status = h('div', { 'aria-live': 'polite', id: 'user-status' });
  const field = (id, label, input, hint) => h('div', { class: 'field', 'data-field': id },
    h('label', { for: `u-${id}` }, label), input, hint ? h('span', { class: 'hint', id: `u-${id}-hint` }, hint) : null,
    h('span', { class: 'field-error', id: `u-${id}-error`, 'aria-live': 'polite' }));
  const role = h('select', { id: 'u-role', name: 'role' }, ROLES.map(([v, label]) => h('option', { value: v }, label)));
  const company = field('company', 'Company', h('input', { id: 'u-company', name: 'company', maxlength: 200, 'aria-describedby': 'u-company-error' }));
  // The parties are the corridor's own; until they are read the choice waits.
  let parties = null;
  const party = field('party', 'Party', h('select', { id: 'u-party', name: 'party', 'aria-describedby': 'u-party-error', disabled: true },
    h('option', { value: '' }, 'Loading the corridor’s parties…')));
  corridorParties(signal).then((list) => {
    const old = party.querySelector('#u-party');
    if (list) {
      parties = list.map(([code]) => code);
      old.replaceChildren(...list.map(([code, name]) => h('option', { value: code }, `${name} (${code})`)));
      old.disabled = false;
    } else {
      // The server's list could not be read: the code is typed, and the server checks it.
      old.replaceWith(h('input', { id: 'u-party', name: 'party', maxlength: 16, autocapitalize: 'characters', 'aria-describedby': 'u-party-hint u-party-error' }));
      party.querySelector('#u-party').after(h('span', { class: 'hint', id: 'u-party-hint' }, 'The corridor’s parties could not be read: type the party’s code (the server checks it).'));
    }
  }).catch(() => {});
  const form = h('form', { class: 'form', id: 'user-form', novalidate: true },
    h('fieldset', null, h('legend', null, 'New user'),
      field('username', 'User name', h('input', { id: 'u-username', name: 'username', maxlength: 64, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'u-username-hint u-username-error' }), 'A-Z a-z 0-9 - _ . only'),
      field('password', 'First password', h('input', { id: 'u-password', name: 'password', type: 'password', autocomplete: 'new-password', maxlength: MAX_PASSWORD, 'aria-describedby': 'u-password-hint u-password-error' }),
        `At least ${MIN_PASSWORD} characters, not containing the user name, not a common word. Give it to the user by a safe way.`),
      field('role', 'Role', role), company, party,
      field('admin-password', 'Your own password (asked again: a signed-in tab alone cannot create accounts)',
        h('input', { id: 'u-admin-password', name: 'admin_password', type: 'password', autocomplete: 'current-password', 'aria-describedby': 'u-admin-password-error' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'create-user' }, 'Create the user')), status);
  const showRole = () => {
    company.hidden = role.value !== 'agent';
    party.hidden = role.value !== 'delegate';
  };
  role.addEventListener('change', showRole);
  showRole();
  const read = () => {
    const r = { role: role.value };
    if (r.role === 'agent') r.company = form.elements.company.value.trim();
    if (r.role === 'delegate') r.party = form.elements.party.value.trim();
    return { username: form.elements.username.value.trim(), password: form.elements.password.value, role: r, admin_password: form.elements.admin_password.value };
  };
  const check = () => {
    const problems = newUserProblems(read(), parties);
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const p of problems) {
      form.querySelector(`#u-${p.field}-error`).textContent = p.message;
      form.querySelector(`#u-${p.field}`).setAttribute('aria-invalid', 'true');
    }
    return problems;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const problems = check();
    if (problems.length) {
      form.querySelector(`#u-${problems[0].field}`).focus();
      tell(status, 'error', 'Not created: some fields need attention (marked above).');
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const user = await postJSON('/users', read());
      const what = roleText(user.role || {});
      form.elements.username.value = '';
      form.elements.password.value = '';
      tell(status, 'info', `Created ${user.username} (${what}). They sign in with the password you gave.`);
      // Created: the list is read again (a failure there is the list's to say, not the creation's).
      onCreated?.();
    } catch (e) {
      // The server's own answer (a taken name, a common password).
      tell(status, 'error', `Not created: ${e.message}`);
    } finally {
      button.disabled = false;
    }
  });
  form.addEventListener('input', () => {
    if (form.querySelector('[aria-invalid]')) check();
  });
  return form;
}

function keysPanel(signal) {
  const box = h('div', { id: 'party-keys', 'aria-live': 'polite' }, notice('info', 'Loading…'));
  const load = async () => {
    let keys;
    try {
      keys = await getJSON('/parties/keys', null, { signal });
    } catch (e) {
      if (e instanceof NotAvailable) return mount(box, notice('info', 'No clearance service on this server.'));
      throw e;
    }
    if (!keys.length) return mount(box, notice('info', 'No party has a key yet.'));
    // Current keys first, then each party's retired ones, newest first.
    keys.sort((a, b) => a.party.localeCompare(b.party) || Number(Boolean(a.valid_until)) - Number(Boolean(b.valid_until)) || b.valid_from.localeCompare(a.valid_from));
    mount(box, h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'keys-table' },
      h('thead', null, h('tr', null, ['Party', 'Key id', 'State', 'From', 'Until', 'Public key'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, keys.map((k) => h('tr', { 'data-key-id': k.key_id, 'data-party': k.party },
        h('th', { scope: 'row' }, k.party),
        h('td', null, h('code', null, k.key_id)),
        h('td', null, k.valid_until ? h('span', { class: 'tag' }, 'retired') : h('span', { class: 'tag ok' }, 'current')),
        h('td', null, fmtWorkTime(k.valid_from)),
        h('td', null, k.valid_until ? fmtWorkTime(k.valid_until) : '—'),
        h('td', null, h('code', { class: 'key' }, k.public_key)))))))));
  };
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(box, notice('error', `The keys could not be loaded: ${e.message}`));
  });
  return box;
}

export const adminScreen = forRole('admin', 'Administration', (root, { signal }) => {
  const accounts = accountsPanel(signal);
  mount(root,
    h('section', { class: 'panel', id: 'admin-users', 'aria-labelledby': 'admin-users-title' },
      h('h2', { id: 'admin-users-title' }, 'Users'),
      h('p', { class: 'lead' }, 'Each person signs in as themselves, with one role: an agent for one company, a delegate for one party.'),
      usersPanel(() => accounts.load(), signal),
      h('h3', null, 'Every account'), accounts.box),
    h('section', { class: 'panel', id: 'admin-keys', 'aria-labelledby': 'admin-keys-title' },
      h('h2', { id: 'admin-keys-title' }, 'The parties’ keys'),
      h('p', { class: 'lead' }, 'The public keys each party signs its decisions with, as logged. A party changes its own key (signed with the one before); times are the centre’s.'),
      keysPanel(signal)));
});
