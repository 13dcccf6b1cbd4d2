// A new user is checked on the form as the server checks it (auth.rs:
// valid_username, password_problem; a role's company or party).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newUserProblems, roleText } from '../../src/screens/admin.js';

const user = (edit = {}) => ({ username: 'ua-relief', password: 'harbour-lights-2023', role: { role: 'inspector' }, ...edit });
const fields = (u) => newUserProblems(u).map((p) => p.field);
const message = (u, field) => newUserProblems(u).find((p) => p.field === field)?.message;

test('a well-formed user has no problems', () => {
  assert.deepEqual(newUserProblems(user()), []);
  assert.deepEqual(newUserProblems(user({ role: { role: 'agent', company: 'Navi-Star Shipping' } })), []);
  assert.deepEqual(newUserProblems(user({ role: { role: 'delegate', party: 'UN' } })), []);
});

test('user names: 1 to 64 of A-Z a-z 0-9 - _ .', () => {
  for (const bad of ['', 'with space', 'ünsal', 'a'.repeat(65), 'semi;colon']) assert.deepEqual(fields(user({ username: bad })), ['username'], JSON.stringify(bad));
  for (const good of ['a', 'A.b_c-9', 'x'.repeat(64)]) assert.deepEqual(fields(user({ username: good })), [], good);
});

test('passwords: as strong as the server asks', () => {
  assert.match(message(user({ password: 'short-pass1' }), 'password'), /at least 12 characters/);
  assert.match(message(user({ password: 'x'.repeat(257) }), 'password'), /at most 256 characters/);
  assert.match(message(user({ password: 'my-UA-RELIEF-pass' }), 'password'), /must not contain the user name/);
  assert.match(message(user({ password: 'abababababababab' }), 'password'), /5 different characters/);
  assert.match(message(user({ password: '1234567890-=!@' }), 'password'), /needs letters/);
  assert.match(message(user({ password: 'abcdabcdabcdabcd' }), 'password'), /5 different characters/, 'four are too few');
  assert.deepEqual(fields(user({ password: 'abcdeabcdeabcde' })), [], 'five are enough');
  // A short user name may appear in a password (the server checks from 3 characters).
  assert.deepEqual(fields(user({ username: 'ab', password: 'ab-harbour-lights' })), []);
  assert.match(message(user({ username: 'abc', password: 'ABC-harbour-lights' }), 'password'), /must not contain the user name/);
});

test('an agent names a company; a delegate one of the parties', () => {
  assert.deepEqual(fields(user({ role: { role: 'agent', company: '  ' } })), ['company']);
  const parties = ['RU', 'TR', 'UA', 'UN'];
  assert.deepEqual(newUserProblems(user({ role: { role: 'delegate', party: 'XX' } }), parties).map((p) => p.field), ['party']);
  assert.deepEqual(newUserProblems(user({ role: { role: 'delegate', party: 'UN' } }), parties), []);
  // The corridor's parties not known (yet): any code is left to the server, none is a problem.
  assert.deepEqual(fields(user({ role: { role: 'delegate', party: 'XX' } })), []);
  assert.deepEqual(fields(user({ role: { role: 'delegate', party: ' ' } })), ['party']);
});

test('a role in words, as GET /users gives it', () => {
  assert.equal(roleText({ role: 'agent', company: 'Danube Shipping' }), 'agent of Danube Shipping');
  assert.equal(roleText({ role: 'delegate', party: 'UA' }), 'delegate of UA');
  assert.equal(roleText({ role: 'coordinator' }), 'coordinator');
});
