import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCUMENTS, rulesFrom } from '../../src/appform.js';
import { documentRows } from '../../src/screens/agent.js';

// Web review (2026-11-30), finding 3: the agent's document checklist was
// the BSGI one, hard-coded: under UNVIM's rules, required kinds such as
// last_port_calls could never be attached, and an attached document of a
// kind the list did not name was not shown at all.
const corridor = (documents) => ({
  eligibility: { max_port_calls: 10, banned_port_calls: [], allowed_categories: [], commodities: {} },
  ports: [{ locode: 'YEHOD', name: 'Hodeidah' }],
  documents,
});

test('the document checklist is the corridor’s own', () => {
  const rules = rulesFrom(corridor({ max_file_bytes: 1000, required: ['cargo_manifest', 'last_port_calls'], optional: ['fumigation_certificate'] }));
  assert.deepEqual(rules.documents, [
    { kind: 'cargo_manifest', label: 'Cargo manifest', required: true },
    { kind: 'last_port_calls', label: 'Last port calls', required: true },
    { kind: 'fumigation_certificate', label: 'Fumigation certificate', required: false },
  ]);
  assert.equal(rules.maxFileBytes, 1000);
  // A kind nobody named spelled out; an older server: the usual list.
  assert.equal(rulesFrom(corridor({ max_file_bytes: 1, required: ['harbour_dues_receipt'] })).documents[0].label, 'Harbour dues receipt');
  assert.deepEqual(rulesFrom(corridor(undefined)).documents, DOCUMENTS);
  assert.ok(DOCUMENTS.some((d) => d.kind === 'dangerous_goods_list'), 'the BSGI list names the dangerous goods list');
});

test('a document attached of a kind the checklist does not name is listed', () => {
  const rules = rulesFrom(corridor({ max_file_bytes: 1000, required: ['crew_list'], optional: [] }));
  const rows = documentRows(rules, [{ kind: 'crew_list' }, { kind: 'old_kind' }]);
  assert.deepEqual(rows.map((r) => [r.kind, r.required]), [['crew_list', true], ['old_kind', false]]);
});
