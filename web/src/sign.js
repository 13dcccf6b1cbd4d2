// Signing a party's decision in the browser (WebCrypto Ed25519), in the
// exact form the ledger verifies: the bytes "corridor-decision-v1\n"
// followed by the canonical JSON of {party, application_id,
// application_hash, decision, time, key_id}. The private key is imported
// non-extractable: once in the browser it can sign, never be read back.

import { zonedInstant } from './format.js';

const enc = new TextEncoder();

export const DECISION_CONTEXT = 'corridor-decision-v1\n';

/** UTF-8 byte order, as the ledger sorts object keys. */
function compareUtf8(a, b) {
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function canonicalString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Canonical JSON: no white space, object keys in UTF-8 byte order, integers
 * only (a fraction is refused, as the ledger refuses it), strings escaped
 * minimally.
 */
export function canonicalJson(value) {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON has integers only, not ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return canonicalString(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(compareUtf8);
    return `{${keys.map((k) => `${canonicalString(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new Error(`not JSON: ${typeof value}`);
}

/** RFC 3339 UTC, whole seconds: the ledger's canonical time. */
export function canonicalTime(t = new Date()) {
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromB64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=')), (c) => c.charCodeAt(0));

/** A key's id: the first 8 bytes of SHA-256 of the raw public key, in hex. */
export async function keyIdOf(publicRaw) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', publicRaw));
  return hex(digest.slice(0, 8));
}

function pemBody(pem) {
  const m = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
  if (!m) throw new Error('not a PKCS#8 private key (-----BEGIN PRIVATE KEY-----)');
  return Uint8Array.from(atob(m[1].replace(/\s+/g, '')), (c) => c.charCodeAt(0));
}

/**
 * A party's signing key from its PKCS#8 PEM file (as `corridor` writes it).
 * Returns {privateKey, publicRaw, publicBase64, keyId}; privateKey cannot be
 * exported again.
 */
export async function importSigningKey(pem) {
  const der = pemBody(pem);
  // Imported extractable once, only to read the public half from its JWK.
  const tmp = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', tmp);
  const publicRaw = fromB64url(jwk.x);
  const privateKey = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
  return { privateKey, publicRaw, publicBase64: b64(publicRaw), keyId: await keyIdOf(publicRaw) };
}

/** The bytes that are signed for a decision payload. */
export function decisionSigningBytes(payload) {
  return enc.encode(DECISION_CONTEXT + canonicalJson(payload));
}

/** An application's content hash: SHA-256 of its canonical JSON, in hex. */
export async function contentHash(content) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(canonicalJson(content)))));
}

const fromHex = (h) => Uint8Array.from(String(h).match(/../g) || [], (b) => parseInt(b, 16));
const sha256 = async (...parts) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
};

/**
 * Whether the entry a receipt carries (`entry`, the log entry itself) is
 * the one it proves: its position, and its hash recomputed here
 * (SHA-256 of "corridor-log-entry-v1\n" and the canonical JSON of the entry
 * without `entry_hash`); and, given the signature the party just made,
 * that the entry logs that signature. A receipt without an entry (from a
 * server before receipts carried it) is taken on its proof alone unless a
 * signature is to be checked.
 */
async function entryHolds(receipt, signature) {
  const entry = receipt?.entry;
  if (entry === undefined) return signature === null;
  if (!entry || typeof entry !== 'object' || entry.seq !== receipt.seq || entry.entry_hash !== receipt.entry_hash) return false;
  const { entry_hash: _, ...body } = entry;
  let text;
  try {
    text = canonicalJson(body);
  } catch {
    return false;
  }
  if (hex(await sha256(enc.encode(ENTRY_CONTEXT), enc.encode(text))) !== receipt.entry_hash) return false;
  return signature === null || entry.signature?.signature === signature;
}

/** The domain separation of a log entry's hash (corridor-ledger's ENTRY_CONTEXT). */
const ENTRY_CONTEXT = 'corridor-log-entry-v1\n';

/**
 * Whether a decision's receipt holds together: its entry is the one it
 * proves (`entryHolds`), its leaf is its entry's
 * (RFC 6962: SHA-256 of 0x00 and the entry hash) and its inclusion proof
 * leads from that leaf at `seq` to the checkpoint's root (RFC 9162,
 * 2.1.3.2). The checkpoint's signature is checked against the published
 * log key by `corridor verify` and tools/verify_log.py.
 */
export async function receiptHolds(receipt, signature = null) {
  if (!(await entryHolds(receipt, signature))) return false;
  const size = receipt?.checkpoint?.size;
  let fn = receipt?.seq;
  if (!Number.isSafeInteger(fn) || !Number.isSafeInteger(size) || fn < 0 || fn >= size) return false;
  const leaf = await sha256(Uint8Array.of(0), fromHex(receipt.entry_hash));
  if (hex(leaf) !== receipt.leaf_hash) return false;
  let sn = size - 1;
  let r = leaf;
  for (const p of receipt.proof || []) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), fromHex(p), r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(Uint8Array.of(1), r, fromHex(p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hex(r) === receipt.checkpoint.root;
}

/**
 * Why the plan the server sent is not the one asked for and shown, if it
 * is not: its day and id must be the page's `date`, and each assignment's
 * instant (signed, not shown) must be its shown start on that day in the
 * plan's `zone`. Else a server could have a party sign another day's plan,
 * or other times, under the one it shows.
 */
export function planShownProblem(plan, date, zone) {
  if (plan.date !== date || plan.application_id !== `PLAN-${date}`) {
    return `the server sent the plan for ${plan.date} (${plan.application_id}) when the plan for ${date} was asked for`;
  }
  for (const a of plan.assignments || []) {
    const at = `${zonedInstant(date, a.start, zone).toISOString().slice(0, 19)}Z`;
    if (a.start_at !== at) return `${a.vessel_name}'s inspection is shown at ${a.start} but signed for ${a.start_at}`;
  }
  return null;
}

/**
 * What a plan's hash covers (corridor-clearance's PlanContent): its day,
 * version and assignments, each with exactly the fields the server hashes.
 */
export function planContent(plan) {
  const keys = ['application_id', 'vessel_name', 'team', 'area', 'start', 'end', 'start_at'];
  return {
    date: plan.date,
    version: plan.version,
    assignments: (plan.assignments || []).map((a) => Object.fromEntries(keys.map((k) => [k, a[k]]))),
  };
}

/**
 * Signs a decision: `decision` is {kind: 'approve'} or {kind: 'hold' |
 * 'reject', reason_code, text}; `applicationHash` the hex content hash the
 * server shows. With `content` (the application as shown to the delegate),
 * the hash is first recomputed from it: a server that shows one content and
 * asks for a signature over another's hash gets nothing signed. Returns the
 * body for POST /applications/{id}/decisions.
 */
export async function signDecision({ party, applicationId, applicationHash, decision, content, time = new Date() }, key) {
  if (content !== undefined) {
    const shown = await contentHash(content);
    if (shown !== applicationHash) {
      throw new Error(`the application shown hashes to ${shown.slice(0, 16)}…, but the version to sign is ${String(applicationHash).slice(0, 16)}…: nothing was signed. Reload and review it again.`);
    }
  }
  const payload = {
    party,
    application_id: applicationId,
    application_hash: applicationHash,
    decision,
    time: canonicalTime(time),
    key_id: key.keyId,
  };
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, decisionSigningBytes(payload)));
  return { payload, signature: b64(signature) };
}
