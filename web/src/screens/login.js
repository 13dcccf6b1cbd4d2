// Signing in: a user name and password for a token kept in this tab only.
import { h, mount, notice } from '../dom.js';
import { go } from '../route.js';
import { HOME, signIn } from '../session.js';

export function loginScreen(root, params) {
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'form narrow', id: 'login-form' },
    h('div', { class: 'field' }, h('label', { for: 'login-user' }, 'User name'),
      h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' })),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'),
      h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
    status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    mount(status, notice('info', 'Signing in…'));
    try {
      const me = await signIn(form.elements.username.value.trim(), form.elements.password.value);
      window.dispatchEvent(new Event('corridor:session'));
      go(params.next || HOME[me?.role?.role]?.path || '/', {});
    } catch (e) {
      mount(status, notice('error', e.status === 401 ? 'The user name or password is wrong.' : `Could not sign in: ${e.message}`));
      button.disabled = false;
    }
  });
  mount(root, h('section', { class: 'panel', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, 'Sign in'),
    h('p', { class: 'lead' }, 'Agents, delegations, inspectors, coordinators and administrators sign in here. The public record needs no account.'),
    form));
  form.elements.username.focus();
}
