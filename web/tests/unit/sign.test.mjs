// Decisions signed in the browser are byte for byte what the ledger
// verifies. The vector was made with an independent implementation
// (Python's cryptography over OpenSSL, canonical JSON by json.dumps with
// sorted keys), from the seed [1; 32] that the ledger's own tests use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, canonicalTime, contentHash, decisionSigningBytes, importSigningKey, keyIdOf, signDecision } from '../../src/sign.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n-----END PRIVATE KEY-----\n';
const PUBLIC = 'iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=';
const KEY_ID = '34750f98bd59fcfc';
const DECISION = { kind: 'hold', reason_code: 'documents_missing', text: 'Crew list "v2" — é\n\ttab \u0001' };
const CANONICAL = '{"application_hash":"abababababababababababababababababababababababababababababababab","application_id":"BSGI-000042","decision":{"kind":"hold","reason_code":"documents_missing","text":"Crew list \\"v2\\" — é\\n\\ttab \\u0001"},"key_id":"34750f98bd59fcfc","party":"UA","time":"2023-05-04T10:00:00Z"}';
const SIGNATURE = 'ZjH8kmfzrakyR4KoggeSva6DLBHGhFVKxdHuaH5Owrbl1CW/ZznmmH6+rluasHxPmN6DN2pkBOAbPU0f4n2WCw==';

test('canonical JSON: the ledger\'s own cases', () => {
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson({ b: 1, a: [true, false, null] }), '{"a":[true,false,null],"b":1}');
  assert.equal(canonicalJson({ z: { y: -5, x: 18446744073709551615n } }), '{"z":{"x":18446744073709551615,"y":-5}}');
  assert.equal(canonicalJson('a"b\\c\n\t\u0001\u007fé€\u2028😀'), '"a\\"b\\\\c\\n\\t\\u0001\u007fé€\u2028😀"');
  assert.equal(canonicalJson({ 'é': 1, e: 2, E: 3, '': 4 }), '{"":4,"E":3,"e":2,"é":1}');
  assert.throws(() => canonicalJson({ q: 1.5 }), /integers only/);
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson({}), '{}');
});

test('keys sort by UTF-8 bytes, not UTF-16 units', () => {
  // U+10000 is the surrogate pair D800 DC00 in UTF-16 (before U+E000) but
  // F0 90 80 80 in UTF-8 (after EE 80 80): the ledger's order is the latter.
  assert.equal(canonicalJson({ '\u{10000}': 1, '\ue000': 2 }), '{"\ue000":2,"\u{10000}":1}');
});

test('canonical time: UTC, whole seconds', () => {
  assert.equal(canonicalTime(new Date('2023-05-04T10:00:00.987Z')), '2023-05-04T10:00:00Z');
});

test('a PKCS#8 key imports; its id and public half match', async () => {
  const key = await importSigningKey(PEM);
  assert.equal(key.publicBase64, PUBLIC);
  assert.equal(key.keyId, KEY_ID);
  assert.equal(await keyIdOf(key.publicRaw), KEY_ID);
  assert.equal(key.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', key.privateKey));
});

test('a signed decision is the vector, byte for byte', async () => {
  const key = await importSigningKey(PEM);
  const signed = await signDecision({
    party: 'UA', applicationId: 'BSGI-000042', applicationHash: 'ab'.repeat(32), decision: DECISION, time: new Date('2023-05-04T10:00:00Z'),
  }, key);
  assert.equal(new TextDecoder().decode(decisionSigningBytes(signed.payload)), `corridor-decision-v1\n${CANONICAL}`);
  assert.equal(signed.signature, SIGNATURE);
  assert.deepEqual(Object.keys(signed).sort(), ['payload', 'signature']);
});

test('a wrong key file is refused with a reason', async () => {
  await assert.rejects(importSigningKey('not a key'), /PKCS#8/);
});

// Ledger review (2026-11-30), finding 2: the browser signed whatever hash
// the server named. It now recomputes it from the content shown (vector
// from Python: SHA-256 of json.dumps with sorted keys, no spaces).
test('a decision is signed only over the content shown', async () => {
  const content = { vessel: { name: 'KAFKAM ETLER — é', imo: '9000015', mmsi: null }, cargo: [{ commodity: 'corn', tonnes: 2437 }], crew_count: 21 };
  const hash = '1f39799d995878f951a96a124632dfca2a45285a8a18cbb03a38fc8b97bd852d';
  assert.equal(await contentHash(content), hash);
  const key = await importSigningKey(PEM);
  const args = { party: 'UA', applicationId: 'BSGI-000042', applicationHash: hash, decision: { kind: 'approve' }, content };
  assert.equal((await signDecision(args, key)).payload.application_hash, hash);
  await assert.rejects(signDecision({ ...args, content: { ...content, crew_count: 22 } }, key), /nothing was signed/);
});

// Open finding 28: a plan decision was signed over the server's plan_hash
// without recomputing it. The browser hashes what the server hashes (the
// day, the version, each assignment's seven fields) and refuses another.
test('a plan is signed only over the plan shown', async () => {
  const { planContent } = await import('../../src/sign.js');
  const a = { application_id: 'BSGI-1', vessel_name: 'RAZONI', team: 'T1', area: 'Marmara', start: '07:00', end: '10:15', start_at: '2022-10-07T04:00:00Z' };
  const plan = { date: '2022-10-07', version: 2, assignments: [{ ...a, extra: 'shown, not hashed' }], score: { inspections: 1 } };
  const content = planContent(plan);
  assert.deepEqual(content, { date: '2022-10-07', version: 2, assignments: [a] });
  const key = await importSigningKey(PEM);
  const hash = await contentHash(content);
  const args = { party: 'UA', applicationId: 'PLAN-2022-10-07', applicationHash: hash, decision: { kind: 'approve' } };
  assert.equal((await signDecision({ ...args, content }, key)).payload.application_hash, hash);
  const moved = planContent({ ...plan, assignments: [{ ...a, start: '08:00' }] });
  await assert.rejects(signDecision({ ...args, content: moved }, key), /nothing was signed/);
});

// Review of the session's fixes, finding 4: the hash was recomputed from
// the day and instants the server sent, which the page does not show.
test('a plan for another day, or other times than shown, is not signed', async () => {
  const { planShownProblem } = await import('../../src/sign.js');
  const a = { application_id: 'BSGI-1', vessel_name: 'RAZONI', team: 'T1', area: 'Marmara', start: '07:00', end: '10:15', start_at: '2022-10-07T04:00:00Z' };
  const plan = { date: '2022-10-07', application_id: 'PLAN-2022-10-07', version: 1, assignments: [a] };
  assert.equal(planShownProblem(plan, '2022-10-07', 'Europe/Istanbul'), null);
  assert.match(planShownProblem({ ...plan, date: '2022-10-08', application_id: 'PLAN-2022-10-08' }, '2022-10-07', 'Europe/Istanbul'), /plan for 2022-10-08/);
  assert.match(planShownProblem({ ...plan, assignments: [{ ...a, start_at: '2022-10-07T09:00:00Z' }] }, '2022-10-07', 'Europe/Istanbul'), /shown at 07:00 but signed for 2022-10-07T09:00:00Z/);
});

// Review of the fixes' fixes, finding 3: the browser offered a receipt
// without checking it. Its proof must lead from its entry's leaf to its
// checkpoint's root (vector: RFC 6962 in Python, 7 leaves, entry 5).
test('a receipt is checked before it is offered', async () => {
  const { receiptHolds } = await import('../../src/sign.js');
  const receipt = {
    seq: 5,
    entry_hash: 'e77b9a9ae9e30b0dbdb6f510a264ef9de781501d7b6b92ae89eb059c5ab743db',
    leaf_hash: 'd43e0bc415d9fa5bd12e23ca3a797ee65a1aefc3abfcaf8c7c508341c4046536',
    checkpoint: { size: 7, root: 'bee2275db16667589a4515f63e0d053a2fa602c1d9f9703e98920a5bdad59baf' },
    proof: ['12d24297164ffddfd8febbd02275c3c5ff24916dc71d5f3476931480854b3113', 'f00d6bcebbc5b0e3f18e3d219c0cbd80d08edd7de43b388f18196257ae4f1b8a', '0dcc2b645c00dfa2338e1c7ac2c4b570beda5a476d58836e55e28bde55e6bee1'],
  };
  assert.equal(await receiptHolds(receipt), true);
  assert.equal(await receiptHolds({ ...receipt, seq: 4 }), false, 'another position');
  assert.equal(await receiptHolds({ ...receipt, proof: receipt.proof.slice(1) }), false, 'a path cut short');
  assert.equal(await receiptHolds({ ...receipt, entry_hash: '00'.repeat(32) }), false, 'another entry');
  assert.equal(await receiptHolds({ ...receipt, checkpoint: { ...receipt.checkpoint, root: '11'.repeat(32) } }), false, 'another root');
  assert.equal(await receiptHolds({ ...receipt, checkpoint: { ...receipt.checkpoint, size: 5 } }), false, 'a tree without the entry');
});

// From a review of a delegation's week (session 27): a receipt held only
// positions and hashes, so alone it did not show what the party had
// signed. It carries the entry now, checked against its hash (computed
// here by Python's json and hashlib, not by sign.js) and against the
// signature the party just made.
test('a receipt carries the entry it proves, with the signature just made', async () => {
  const { receiptHolds } = await import('../../src/sign.js');
  const entry = {
    seq: 0, prev_hash: '00'.repeat(32), actor: 'user:7', time: '2022-10-03T06:00:00Z',
    event: { type: 'decision_recorded', application_id: 'BSGI-2022-000001', party: 'UA', decision: { kind: 'hold', reason_code: 'SANCTIONS', text: 'owner listed' } },
    signature: { party: 'UA', key_id: 'ab'.repeat(8), signature: 'c2lnbmF0dXJl' },
    entry_hash: '8a576804c44ea1cd0da5a766bb6f5d476cd7dab798628b54c19d3fe62610e278',
  };
  const leaf = '391085010b68e345f2efe1066cacd4436afb0f70f81b812dfba07e24f2f10e5f';
  const receipt = { seq: 0, entry, entry_hash: entry.entry_hash, leaf_hash: leaf, checkpoint: { size: 1, root: leaf }, proof: [] };
  assert.equal(await receiptHolds(receipt), true);
  assert.equal(await receiptHolds(receipt, 'c2lnbmF0dXJl'), true, 'the signature just made');
  assert.equal(await receiptHolds(receipt, 'b3RoZXI='), false, 'another signature');
  const edited = { ...entry, event: { ...entry.event, decision: { kind: 'approve' } } };
  assert.equal(await receiptHolds({ ...receipt, entry: edited }), false, 'an entry edited after it was hashed');
  assert.equal(await receiptHolds({ ...receipt, entry: { ...entry, seq: 1 } }), false, 'another position');
  const { entry: _, ...bare } = receipt;
  assert.equal(await receiptHolds(bare), true, 'an older receipt, on its proof alone');
  assert.equal(await receiptHolds(bare, 'c2lnbmF0dXJl'), false, 'no entry to show the signature');
});
