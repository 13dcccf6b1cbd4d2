// The coordinator's days off and stoppages: declared on the screen (the
// days are the centre's), compared with GET /stoppages, the day's plan
// shown again with the teams left; lifted on the screen, asked first; a
// declaration the server refuses shows the server's own message.
// Each test uses a day of its own well ahead, and lifts what it declares.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { addDays, dayIn } from '../../src/format.js';
import { api, apiAs, apiToken, assertAccessible, open, OUT, signIn, startBrowser, stopBrowser } from './helpers.mjs';

const skip = !process.env.CORRIDOR_E2E_KEYS && 'the clearance demo is not seeded (CORRIDOR_E2E_KEYS)';

before(startBrowser);
after(stopBrowser);

/** The centre's day `n` days from its today (the server names the zone). */
async function centreDay(n) {
  const { time_zone: zone } = await api('/stoppages');
  return addDays(dayIn(zone), n);
}

const byReason = async (reason) => (await api('/stoppages')).stoppages.find((s) => s.reason === reason);

/** Lifts what a test declared, if it is still in force (through the API: clean-up only). */
async function cleanUp(reason) {
  const s = await byReason(reason);
  if (s?.in_force) await apiAs(await apiToken('coordinator'), 'POST', `/stoppages/${s.id}/lift`, { reason: 'E2E clean-up' });
}

async function declare(page, { from, to = from, kind, reason, absent = [], teams = '' }) {
  await page.fill('#st-from', from);
  await page.fill('#st-to', to);
  await page.selectOption('#st-kind', kind);
  for (const p of absent) await page.check(`#st-parties input[value="${p}"]`);
  await page.fill('#st-teams', String(teams));
  await page.fill('#st-reason', reason);
  await page.click('#declare-stoppage');
  await page.waitForFunction(() => !/…$/.test(document.querySelector('#stoppage-status').textContent) && document.querySelector('#stoppage-status').textContent);
}

test('the coordinator declares a stoppage on the centre’s days and lifts it, asked first; the plan’s teams follow', { skip, timeout: 180000 }, async () => {
  const day = await centreDay(23);
  const reason = `E2E gale on ${day} ${Date.now()}`;
  const { page, done } = await open('desktop', '/');
  try {
    await signIn(page, 'coordinator');
    await page.goto(new URL(`/#/coordinate?date=${day}`, page.url()).href);
    await page.waitForSelector('#plan-teams');
    const teamsBefore = await page.getAttribute('#plan-teams', 'data-teams');
    assert.ok(teamsBefore, 'teams work that day to begin with');
    // The form says whose days these are.
    assert.match(await page.textContent('#st-days-hint'), /Days on the centre’s calendar, Istanbul time \(UTC\+3\)/);
    assert.equal(await page.isVisible('#st-absent'), false, 'no parties to tick for a weather stoppage');

    await declare(page, { from: day, kind: 'weather', reason });
    const s = await byReason(reason);
    assert.ok(s, 'declared on the server');
    assert.deepEqual({ from: s.from, to: s.to, kind: s.kind, absent: s.absent, teams: s.teams, in_force: s.in_force, every_team: s.every_team },
      { from: day, to: day, kind: 'weather', absent: [], teams: null, in_force: true, every_team: true });
    assert.match(await page.textContent('#stoppage-status'), new RegExp(`Declared ${s.id}: .*no inspections: weather`));
    // The list is the server's, newest first, with what each stops.
    const row = `#stoppages-table tr[data-id="${s.id}"]`;
    await page.waitForSelector(`${row}[data-in-force=true]`);
    const listed = await page.$$eval('#stoppages-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
    assert.deepEqual(listed, (await api('/stoppages')).stoppages.map((x) => x.id));
    assert.equal(await page.getAttribute(`${row} [data-stops]`, 'data-stops'), '*');
    assert.ok((await page.textContent(row)).includes(reason));
    // The day's plan is read again: no team works that day.
    await page.waitForSelector('#plan-teams[data-teams=""]');
    await assertAccessible(page, 'the coordinator’s stoppages');
    await page.locator('#coord-stoppages').screenshot({ path: path.join(OUT, 'desktop-coordinator-stoppages.png') });

    // Lifting needs a reason, and is asked first: dismissed, it stays in force.
    await page.fill(`${row} [data-lift-reason]`, 'E2E: the warning was withdrawn');
    const asked = [];
    page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
    await page.click(`${row} button[data-action=lift]`);
    await page.waitForFunction(() => /not lifted/.test(document.querySelector('#stoppages-list-status').textContent));
    assert.match(asked[0], new RegExp(`Lift ${s.id} \\(`));
    assert.equal((await byReason(reason)).in_force, true);
    page.once('dialog', (d) => d.accept());
    await page.click(`${row} button[data-action=lift]`);
    await page.waitForSelector(`${row}[data-in-force=false]`);
    const lifted = await byReason(reason);
    assert.equal(lifted.in_force, false);
    assert.equal(lifted.lifted.reason, 'E2E: the warning was withdrawn');
    assert.equal(lifted.lifted.by, 'user:coordinator');
    assert.match(await page.textContent(`${row} .stoppage-state`), /Lifted by coordinator, .*: E2E: the warning was withdrawn/);
    // The plan has its teams again.
    await page.waitForSelector(`#plan-teams[data-teams="${teamsBefore}"]`);
    await done();
  } finally {
    await cleanUp(reason);
  }
});

test('a party absent: refused without a party, with the server’s words; declared with one, it stops the teams that need it (phone)', { skip, timeout: 180000 }, async () => {
  const from = await centreDay(31);
  const to = addDays(from, 1);
  const reason = `E2E delegation away ${from} ${Date.now()}`;
  const { page, done } = await open('phone', '/', { allow4xx: /\/api\/v1\/stoppages$/ });
  try {
    await signIn(page, 'coordinator');
    await page.goto(new URL('/#/coordinate', page.url()).href);
    await page.selectOption('#st-kind', 'party_absent');
    await page.waitForSelector('#st-parties input[type=checkbox]');
    const parties = await page.$$eval('#st-parties input[type=checkbox]', (els) => els.map((e) => e.value));
    const plan = await apiAs(await apiToken('coordinator'), 'GET', `/plans/${from}`);
    assert.deepEqual(parties, plan.required_parties, 'the parties are the plan’s');

    // No party ticked: the server refuses, naming the field; the screen says so in its words.
    await declare(page, { from, to, kind: 'party_absent', reason });
    const said = await page.textContent('#stoppage-status');
    assert.match(said, /^Not declared: absent: name the absent parties of a party_absent stoppage/);
    assert.match(await page.textContent('#st-absent-error'), /absent: name the absent parties/);
    assert.equal(await byReason(reason), undefined, 'nothing declared');

    await declare(page, { from, to, kind: 'party_absent', reason, absent: [parties[0]], teams: 1 });
    const s = await byReason(reason);
    assert.ok(s, 'declared on the server');
    assert.deepEqual({ from: s.from, to: s.to, kind: s.kind, absent: s.absent, teams: s.teams }, { from, to, kind: 'party_absent', absent: [parties[0]], teams: 1 });
    const row = `#stoppages-table tr[data-id="${s.id}"]`;
    await page.waitForSelector(row);
    assert.equal(await page.getAttribute(`${row} [data-stops]`, 'data-stops'), s.every_team ? '*' : s.stops.join(' '));
    assert.ok((await page.textContent(`${row} [data-stops]`)).includes(`(${parties[0]} absent)`));
    await assertAccessible(page, 'the coordinator’s stoppages on a phone');
    await page.locator('#coord-stoppages').screenshot({ path: path.join(OUT, 'phone-coordinator-stoppages.png') });
    await done();
  } finally {
    await cleanUp(reason);
  }
});
