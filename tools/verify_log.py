#!/usr/bin/env python3
"""Independent verifier of a corridor log export (format corridor-log-export-v1).

Uses only Python's standard library (hashlib, json, base64, datetime) and
PyNaCl, so anyone can check corridor's record without corridor's code.

    python3 tools/verify_log.py EXPORT.json [--log-key KEY] [--keys TRUSTED.json] [--checkpoint FILE]...

Checks, in this order, and stops at the first failure:
  1. every party key's id is the first 16 hex chars of SHA-256(raw key), ids are unique,
     and no two keys of one party are current at the same time ("keys" holds the keys known
     before the first entry; keys registered or retired in the log itself, by events
     party_key_registered / party_key_retired, are applied where they occur; after a party's
     first key, each change must be signed by the party's own key, for this log's origin and
     a state of this log before it (size >= 1 and the Merkle root at that size), where the first
     entry after that state was logged at most 86,400 s before the change, and a new key's
     endorsement is logged within 86,400 s of its own signing time; a new key takes
     effect when logged, at most 300 s later);
  2. for each entry in order (and an event stating an application's content and its
     content_hash: the hash is SHA-256 of the content's canonical JSON): seq is its position; prev_hash is the previous entry_hash
     (64 zeros for the first); entry_hash = SHA-256("corridor-log-entry-v1\\n" ||
     canonical JSON of the entry without "entry_hash"); time is YYYY-MM-DDTHH:MM:SSZ and
     never decreases; an event with a "decision" member is signed by a key of the payload's
     party, current when signed and when logged, and the ed25519 signature over
     "corridor-decision-v1\\n" || canonical(payload) verifies;
  3. the checkpoint is signed by the log key over its five-line body and its root is the
     RFC 6962 Merkle root over the first `size` entries (leaf data = the 32 bytes of entry_hash).
--log-key and --keys compare the export's keys with copies obtained out of band: --log-key is
the log's public key in base64 (`log_key` of GET /api/v1/log/checkpoint), or a file holding it
or its SPKI PEM; --keys
lists the parties' keys as exchanged (records with key_id, party, public_key, valid_from,
valid_until); the export's initial keys must be in it as exported, and so must every key the
log registers without an endorsement (a party's first key), by id, party and public key.
--checkpoint FILE (repeatable) is a checkpoint kept from before (the `text` of
GET /api/v1/log/checkpoint, that whole JSON answer, or a decision's receipt): it must verify with the log key and
the log's Merkle root at its size must be its root, so a log rewritten or cut short since is
caught even though whoever rewrote it could re-sign the export's own checkpoint.

Canonical JSON = json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
encoded as UTF-8, with integers only (see corridor-ledger's canonical module).

Exit status: 0 when everything checks, 1 with "FAIL: ..." naming the first bad entry, 2 on usage
or unreadable input.
"""

import base64
import binascii
import datetime
import hashlib
import json
import os
import sys

import nacl.exceptions
import nacl.signing

FORMAT = "corridor-log-export-v1"
ENTRY_CONTEXT = b"corridor-log-entry-v1\n"
DECISION_CONTEXT = b"corridor-decision-v1\n"
CHECKPOINT_HEADER = "corridor-checkpoint-v1"
MAX_CLOCK_SKEW_SECONDS = 300
MAX_KEY_LEAD = MAX_CLOCK_SKEW_SECONDS  # seconds a new key may start after it is logged
MAX_KEY_CHANGE_AGE = 86400  # seconds a key change stays good after the log moves past its state
GENESIS = "0" * 64
ENTRY_FIELDS = ("seq", "prev_hash", "actor", "time", "event", "signature")


class Fail(Exception):
    pass


class Unreadable(Exception):
    """An input that cannot be read at all (exit 2), with what it is."""


def no_floats(text):
    raise Fail("export contains a non-integer number %s" % text)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_time(text, what):
    if not isinstance(text, str) or len(text) != 20 or not text.endswith("Z"):
        raise Fail("%s: time %r is not YYYY-MM-DDTHH:MM:SSZ" % (what, text))
    try:
        t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise Fail("%s: time %r is not YYYY-MM-DDTHH:MM:SSZ" % (what, text))
    if t.strftime("%Y-%m-%dT%H:%M:%SZ") != text:
        raise Fail("%s: time %r is not canonical" % (what, text))
    return t


def b64(text, length, what):
    try:
        raw = base64.b64decode(text, validate=True)
    except Exception:
        raise Fail("%s is not base64" % what)
    if len(raw) != length:
        raise Fail("%s is not %d bytes" % (what, length))
    # One spelling per value, as the Rust verifier reads it (no stray trailing bits).
    if base64.b64encode(raw).decode("ascii") != text:
        raise Fail("%s is not canonical base64" % what)
    return raw


def key_id(raw):
    return hashlib.sha256(raw).hexdigest()[:16]


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves):
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


KEY_FIELDS = {"key_id", "party", "public_key", "valid_from", "valid_until"}


def add_key(keys, r, what):
    if not isinstance(r, dict) or set(r) != KEY_FIELDS:
        raise Fail("%s: key record is malformed" % what)
    raw = b64(r["public_key"], 32, what + " public_key")
    if key_id(raw) != r["key_id"]:
        raise Fail("%s: key_id %r is not the id of its key (%s)" % (what, r["key_id"], key_id(raw)))
    if r["key_id"] in keys:
        raise Fail("%s: key %s registered twice" % (what, r["key_id"]))
    start = parse_time(r["valid_from"], what)
    end = None if r["valid_until"] is None else parse_time(r["valid_until"], what)
    if end is not None and end <= start:
        raise Fail("%s: empty validity interval" % what)
    for other in keys.values():
        if other["party"] == r["party"]:
            if (other["end"] is None or start < other["end"]) and (end is None or other["start"] < end):
                raise Fail("%s overlaps key %s of party %s" % (what, other["key_id"], other["party"]))
    keys[r["key_id"]] = {"key_id": r["key_id"], "party": r["party"], "raw": raw, "start": start, "end": end}


def load_keys(records):
    keys = {}
    for i, r in enumerate(records):
        add_key(keys, r, "key #%d" % i)
    return keys


def retire(k, at, what):
    if at <= k["start"]:
        raise Fail("%s: key %s cannot be retired before it starts" % (what, k["key_id"]))
    if k["end"] is None or at < k["end"]:
        k["end"] = at


def verify_by(k, message, signature_b64, what):
    try:
        nacl.signing.VerifyKey(k["raw"]).verify(message, b64(signature_b64, 64, what + " signature"))
    except nacl.exceptions.BadSignatureError:
        raise Fail("%s: the signature of key %s over this key change does not verify" % (what, k["key_id"]))


def check_seen(size, root, before, what):
    """`before` is (leaves, times, logged_at) of the log before the change: the named state
    (size, root hex) must be this log's own, and recent."""
    leaves, times, logged_at = before
    if not isinstance(size, int) or isinstance(size, bool) or not isinstance(root, str):
        raise Fail("%s: key event is malformed" % what)
    if size < 1 or size > len(leaves) or merkle_root(leaves[:size]).hex() != root:
        raise Fail("%s: the key change names the log at size %d with root %s, not a state of this log"
                   % (what, size, root))
    if size < len(times) and (logged_at - times[size]).total_seconds() > MAX_KEY_CHANGE_AGE:
        raise Fail("%s: the key change names the log at size %d, more than %d s before it was logged"
                   % (what, size, MAX_KEY_CHANGE_AGE))


def apply_key_event(keys, event, before, origin, what, trusted=None):
    """Logged key changes in the log named `origin`; `before` is the log before the change
    (check_seen). A party's first key is registered bare; every later key carries an endorsement
    {key_id, log_size, log_root, signed_at, signature} by the party's most recent key over
    "corridor-key-rotation-v3\n<origin>\n<log size>\n<log root hex>\n<signed at>\n<party>\n<previous key id>\n<new key base64>\n"
    (logged within MAX_KEY_CHANGE_AGE of its signing, and not before it beyond the clock skew)
    (and rotates out the party's current key); a new key is valid from when it is logged (at most
    MAX_KEY_LEAD seconds later); a retirement is signed by the retired key over
    "corridor-key-retirement-v3\n<origin>\n<log size>\n<log root hex>\n<party>\n<key id>\n<at>\n"."""
    logged_at = before[2]
    kind = event.get("type") if isinstance(event, dict) else None
    if kind == "party_key_registered":
        if set(event) - {"endorsement"} != {"type", "key"} or not isinstance(event["key"], dict):
            raise Fail("%s: key event is malformed" % what)
        rec = event["key"]
        start = parse_time(rec.get("valid_from"), what)
        if start < logged_at:
            raise Fail("%s: key change dated before it was logged" % what)
        if (start - logged_at).total_seconds() > MAX_KEY_LEAD:
            raise Fail("%s: new key valid from more than %d s after it was logged" % (what, MAX_KEY_LEAD))
        party = rec.get("party")
        own = [k for k in keys.values() if k["party"] == party]
        endorsement = event.get("endorsement")
        if own:
            latest = max(own, key=lambda k: k["start"])
            if not isinstance(endorsement, dict) or set(endorsement) != {"key_id", "log_size", "log_root", "signed_at", "signature"}:
                raise Fail("%s: party %s already has key %s: a new key must be endorsed by that key"
                           % (what, party, latest["key_id"]))
            if endorsement["key_id"] != latest["key_id"]:
                raise Fail("%s: the new key of party %s must be endorsed by key %s, not %s"
                           % (what, party, latest["key_id"], endorsement["key_id"]))
            message = "corridor-key-rotation-v3\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n" % (
                origin, endorsement["log_size"], endorsement["log_root"], endorsement["signed_at"],
                party, latest["key_id"], rec.get("public_key"))
            verify_by(latest, message.encode("utf-8"), endorsement["signature"], what)
            age = (logged_at - parse_time(endorsement["signed_at"], what)).total_seconds()
            if age > MAX_KEY_CHANGE_AGE or age < -MAX_CLOCK_SKEW_SECONDS:
                raise Fail("%s: the new key's endorsement was signed at %s and logged at %s: out of its day"
                           % (what, endorsement["signed_at"], logged_at.strftime("%Y-%m-%dT%H:%M:%SZ")))
            check_seen(endorsement["log_size"], endorsement["log_root"], before, what)
        elif "endorsement" in event:
            raise Fail("%s: party %s has no earlier key to endorse its first key" % (what, party))
        elif trusted is not None:
            # A first key is taken on trust: only a copy exchanged out of band vouches for it.
            t = trusted.get(rec.get("key_id"))
            if t is None or t["party"] != party or base64.b64encode(t["raw"]).decode("ascii") != rec.get("public_key"):
                raise Fail("%s: first key %s of party %s is not in the trusted key list"
                           % (what, rec.get("key_id"), party))
        for k in own:
            if k["start"] <= start and (k["end"] is None or start < k["end"]):
                retire(k, start, what)
        add_key(keys, rec, what)
    elif kind == "party_key_retired":
        if set(event) != {"type", "party", "key_id", "at", "log_size", "log_root", "signature"}:
            raise Fail("%s: key event is malformed" % what)
        at = parse_time(event["at"], what)
        if at < logged_at:
            raise Fail("%s: key change dated before it was logged" % what)
        k = keys.get(event["key_id"])
        if k is None:
            raise Fail("%s: unknown key %s" % (what, event["key_id"]))
        if k["party"] != event["party"]:
            raise Fail("%s: key %s is not a key of party %s" % (what, event["key_id"], event["party"]))
        message = "corridor-key-retirement-v3\n%s\n%s\n%s\n%s\n%s\n%s\n" % (
            origin, event["log_size"], event["log_root"], event["party"], event["key_id"], event["at"])
        verify_by(k, message.encode("utf-8"), event["signature"], what)
        check_seen(event["log_size"], event["log_root"], before, what)
        retire(k, at, what)


def check_key(keys, party, kid, at, what):
    k = keys.get(kid)
    if k is None:
        raise Fail("%s: unknown key %s" % (what, kid))
    if k["party"] != party:
        raise Fail("%s: key %s belongs to party %s, not %s" % (what, kid, k["party"], party))
    if at < k["start"]:
        raise Fail("%s: key %s is not valid before %s" % (what, kid, k["start"].isoformat()))
    if k["end"] is not None and at >= k["end"]:
        raise Fail("%s: key %s was retired at %s" % (what, kid, k["end"].isoformat()))
    return k


def check_signature(entry, keys, what):
    event = entry.get("event")
    sig = entry.get("signature")
    # A "decision" member, even null, makes the event a signed one (as in Rust).
    if not isinstance(event, dict) or "decision" not in event:
        if sig is not None:
            raise Fail("%s: signature on an event without a decision payload" % what)
        return False
    payload = event["decision"]
    if sig is None:
        raise Fail("%s: decision event is not signed" % what)
    if not isinstance(payload, dict) or set(payload) != {"party", "application_id", "application_hash", "decision", "time", "key_id"}:
        raise Fail("%s: decision payload is malformed" % what)
    if payload["party"] != sig.get("party") or payload["key_id"] != sig.get("key_id"):
        raise Fail("%s: signature header does not match the payload's party/key" % what)
    signed_at = parse_time(payload["time"], what + " payload")
    logged_at = parse_time(entry["time"], what)
    if (signed_at - logged_at).total_seconds() > MAX_CLOCK_SKEW_SECONDS:
        raise Fail("%s: decision signed at %s, after it was logged" % (what, payload["time"]))
    check_key(keys, payload["party"], payload["key_id"], logged_at, what)
    k = check_key(keys, payload["party"], payload["key_id"], signed_at, what)
    signature = b64(sig.get("signature"), 64, what + " signature")
    try:
        nacl.signing.VerifyKey(k["raw"]).verify(DECISION_CONTEXT + canonical(payload), signature)
    except nacl.exceptions.BadSignatureError:
        raise Fail("%s: bad signature by key %s" % (what, payload["key_id"]))
    return True


def load_checkpoint(text):
    """A checkpoint's text form (or the API's JSON answer holding it as "text") as a dict."""
    receipt = None
    if text.lstrip().startswith("{"):
        # The API's answer {"text": ...}, or a decision's receipt {"checkpoint": {"text": ...},
        # "seq", "entry_hash", ...}, whose entry the log must still hold.
        v = json.loads(text)
        if isinstance(v.get("seq"), int) and not isinstance(v.get("seq"), bool) and isinstance(v.get("entry_hash"), str):
            receipt = (v["seq"], v["entry_hash"])
        text = v.get("text") if isinstance(v.get("text"), str) else (v.get("checkpoint") or {}).get("text")
        if not isinstance(text, str):
            raise Fail("held checkpoint: the JSON has no \"text\" member, nor a receipt's \"checkpoint\" with one")
    # Saved with an extra newline at its end (jq -r .text): read all the same.
    text = text.rstrip("\r\n") + "\n"
    body, sep, sig_line = text.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) != 5 or lines[0] != CHECKPOINT_HEADER:
        raise Fail("held checkpoint: not a %s body" % CHECKPOINT_HEADER)
    if not sig_line.startswith("\u2014 ") or not sig_line.endswith("\n") or sig_line.count(" ") != 2:
        raise Fail("held checkpoint: the signature line is not '\u2014 <key id> <signature>'")
    _, kid, sig = sig_line[:-1].split(" ")
    if not lines[2].isdigit() or str(int(lines[2])) != lines[2]:
        raise Fail("held checkpoint: size %r is not a canonical number" % lines[2])
    held = {"origin": lines[1], "size": int(lines[2]), "root": b64(lines[3], 32, "held checkpoint root"),
            "time": lines[4], "key_id": kid, "signature": sig, "body": body + "\n", "receipt": receipt}
    if receipt is not None and receipt[0] >= held["size"]:
        raise Fail("held checkpoint: the receipt's entry %d is not covered by its checkpoint (%d entries)"
                   % (receipt[0], held["size"]))
    return held


def check_held(held, origin, log_raw, log_key_id, leaves, entries):
    what = "held checkpoint at size %d" % held["size"]
    if held["origin"] != origin:
        raise Fail("%s: signed for log %r, but this is log %r" % (what, held["origin"], origin))
    if held["key_id"] != log_key_id:
        raise Fail("%s: signed by key %s, not the log key %s" % (what, held["key_id"], log_key_id))
    parse_time(held["time"], what)
    try:
        nacl.signing.VerifyKey(log_raw).verify(held["body"].encode("utf-8"), b64(held["signature"], 64, what + " signature"))
    except nacl.exceptions.BadSignatureError:
        raise Fail("%s: signature does not verify" % what)
    if held["size"] > len(leaves):
        raise Fail("%s: signed over %d entries but the log has %d: entries were deleted"
                   % (what, held["size"], len(leaves)))
    root = merkle_root(leaves[:held["size"]])
    if root != held["root"]:
        raise Fail("%s: signed root %s but the log's first %d entries give %s: the log was rewritten"
                   % (what, held["root"].hex(), held["size"], root.hex()))
    if held.get("receipt") is not None:
        seq, entry_hash = held["receipt"]
        if entries[seq].get("entry_hash") != entry_hash:
            raise Fail("%s: a receipt says entry %d is %s, but the log's is %s: the entry was rewritten"
                       % (what, seq, entry_hash, entries[seq].get("entry_hash")))


def check_content_hash(event, current, what):
    """What the parties sign is bound to what the log shows them. An event that states a content
    and its hash (application_created, draft_updated, application_amended: content_hash; plan_set:
    plan_hash) must state the SHA-256 of the content's canonical JSON, and it becomes that
    application's (or day's plan, PLAN-<date>) current version in `current`; a signed decision on an
    application or plan the log has shown must be on its current version. (Rust's replay checks the
    same, and the content byte for byte as its types write it.)"""
    if not isinstance(event, dict):
        return
    for hash_key, id_of in (("content_hash", lambda e: e.get("application_id")),
                            ("plan_hash", lambda e: "PLAN-%s" % (e.get("content") or {}).get("date"))):
        if "content" in event and hash_key in event:
            computed = hashlib.sha256(canonical(event["content"])).hexdigest()
            if computed != event[hash_key]:
                raise Fail("%s: %s %s is not the hash of the content it states (%s)"
                           % (what, hash_key, event[hash_key], computed))
            current[id_of(event)] = event[hash_key]
        elif hash_key == "content_hash" and isinstance(event.get("application_id"), str) and hash_key in event:
            current.setdefault(event["application_id"], event[hash_key])
    payload = event.get("decision")
    if isinstance(payload, dict) and payload.get("application_id") in current:
        want = current[payload["application_id"]]
        if payload.get("application_hash") != want:
            raise Fail("%s: a decision on %s signed over %s, not its current version %s"
                       % (what, payload["application_id"], payload.get("application_hash"), want))


def verify(export, trusted_log_key=None, trusted_keys=None, held=()):
    if export.get("format") != FORMAT:
        raise Fail("unknown export format %r" % export.get("format"))
    keys = load_keys(export.get("keys", []))
    trusted = None
    if trusted_keys is not None:
        # The initial keys here; the first keys the log registers, where it registers them.
        trusted = load_keys(trusted_keys)
        for kid, k in keys.items():
            t = trusted.get(kid)
            if t is None or t["party"] != k["party"] or t["start"] != k["start"] or t["end"] != k["end"]:
                raise Fail("key %s of party %s is not in the trusted key list as exported" % (kid, k["party"]))
    log_key = export.get("log_key", {})
    log_raw = b64(log_key.get("public_key"), 32, "log key")
    if key_id(log_raw) != log_key.get("key_id"):
        raise Fail("log key id does not match the log key")
    if trusted_log_key is not None and log_raw != b64(trusted_log_key, 32, "--log-key"):
        raise Fail("the export's log key is not the trusted log key")

    origin = export.get("origin")
    if not isinstance(origin, str) or not origin or "\n" in origin or "\r" in origin:
        raise Fail("the export's origin is not a one-line name")
    entries = export.get("entries", [])
    prev_hash, prev_time, signatures, leaves, times = GENESIS, None, 0, [], []
    current = {}  # application id (or PLAN-<date>) -> its current content hash
    signed_payloads = set()  # canonical bytes of every signed decision payload so far
    for i, e in enumerate(entries):
        what = "entry at position %d (seq %s)" % (i, e.get("seq"))
        if type(e.get("seq")) is not int or e.get("seq") != i:
            raise Fail("%s: sequence number %s, expected %d (entry deleted, inserted or reordered)" % (what, e.get("seq"), i))
        if e.get("prev_hash") != prev_hash:
            raise Fail("%s: prev_hash does not match the previous entry's hash" % what)
        body = {k: e.get(k) for k in ENTRY_FIELDS}
        computed = hashlib.sha256(ENTRY_CONTEXT + canonical(body)).hexdigest()
        if computed != e.get("entry_hash"):
            raise Fail("%s: entry_hash does not match its content (recomputed %s): the entry was changed" % (what, computed))
        t = parse_time(e.get("time"), what)
        if prev_time is not None and t < prev_time:
            raise Fail("%s: time goes backwards" % what)
        if check_signature(e, keys, what):
            signatures += 1
            # A signed decision counts once (Rust's replay refuses it too): a
            # copy appended later would undo the party's newer decision.
            payload = canonical(e["event"]["decision"])
            if payload in signed_payloads:
                raise Fail("%s: %s's signed decision on %s logged twice (a copy of an earlier entry)"
                           % (what, e["event"]["decision"]["party"], e["event"]["decision"]["application_id"]))
            signed_payloads.add(payload)
        check_content_hash(e.get("event"), current, what)
        apply_key_event(keys, e.get("event"), (leaves, times, t), origin, what, trusted)
        leaves.append(leaf_hash(bytes.fromhex(e["entry_hash"])))
        times.append(t)
        prev_hash, prev_time = e["entry_hash"], t

    cp = export.get("checkpoint", {})
    if cp.get("origin") != export.get("origin") or "\n" in str(cp.get("origin")):
        raise Fail("checkpoint origin does not match the export")
    if cp.get("key_id") != log_key.get("key_id"):
        raise Fail("checkpoint is not signed by the log key")
    size = cp.get("size")
    if not isinstance(size, int) or size < 0 or size > len(entries):
        raise Fail("checkpoint size %r is outside the log (%d entries)" % (size, len(entries)))
    try:
        root = bytes.fromhex(cp.get("root", ""))
    except ValueError:
        raise Fail("checkpoint root is not hex")
    parse_time(cp.get("time"), "checkpoint")
    body = "%s\n%s\n%d\n%s\n%s\n" % (CHECKPOINT_HEADER, cp["origin"], size, base64.b64encode(root).decode(), cp["time"])
    try:
        nacl.signing.VerifyKey(log_raw).verify(body.encode("utf-8"), b64(cp.get("signature"), 64, "checkpoint signature"))
    except nacl.exceptions.BadSignatureError:
        raise Fail("checkpoint signature does not verify")
    computed_root = merkle_root(leaves[:size])
    if computed_root != root:
        raise Fail("Merkle root at size %d is %s, checkpoint says %s" % (size, computed_root.hex(), root.hex()))
    for h in held:
        check_held(h, origin, log_raw, log_key.get("key_id"), leaves, entries)
    return {"entries": len(entries), "signatures": signatures, "checkpoint_size": size, "root": root.hex(),
            "held": len(held)}


# DER header of an ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32-byte key follows.
SPKI_ED25519 = bytes.fromhex("302a300506032b6570032100")


def is_base64_key(text):
    try:
        return len(base64.b64decode(text.strip(), validate=True)) == 32
    except (ValueError, binascii.Error):
        return False


def log_key_text(given):
    """--log-key as `corridor verify` takes it: the key in base64, or a file holding that or
    the key as SPKI PEM (PUBLIC KEY). Returns the base64 of the raw key."""
    text = given
    if os.path.isfile(given):
        try:
            with open(given, encoding="utf-8") as f:
                text = f.read()
        except (OSError, ValueError) as e:
            raise Unreadable("cannot read the log key %s: %s" % (given, e))
    elif not is_base64_key(given):
        raise Unreadable("cannot read the log key %s: no such file, and not a key in base64" % given)
    text = text.strip()
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        body = "".join(l for l in text.splitlines() if not l.startswith("-----"))
        try:
            der = base64.b64decode(body, validate=True)
        except (ValueError, binascii.Error):
            raise Fail("--log-key %s: the PEM is not base64" % given)
        if len(der) != 44 or not der.startswith(SPKI_ED25519):
            raise Fail("--log-key %s: not an ed25519 public key" % given)
        return base64.b64encode(der[12:]).decode("ascii")
    if text.startswith("-----BEGIN"):
        raise Fail("--log-key %s: a PEM that is not a PUBLIC KEY" % given)
    return text


def main(argv):
    args = list(argv[1:])
    trusted_log_key = trusted_keys = None
    held_paths = []
    path = None
    while args:
        a = args.pop(0)
        if a == "--log-key" and args:
            trusted_log_key = args.pop(0)
        elif a == "--checkpoint" and args:
            held_paths.append(args.pop(0))
        elif a == "--keys" and args:
            with open(args.pop(0), encoding="utf-8") as f:
                trusted_keys = json.load(f)
        elif path is None and not a.startswith("--"):
            path = a
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if path is None:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if trusted_log_key is not None:
            trusted_log_key = log_key_text(trusted_log_key)
        with open(path, encoding="utf-8") as f:
            export = json.load(f, parse_float=no_floats, parse_constant=no_floats)
        held = []
        for hp in held_paths:
            with open(hp, encoding="utf-8") as f:
                held.append(load_checkpoint(f.read()))
        summary = verify(export, trusted_log_key, trusted_keys, held)
    except Fail as e:
        print("FAIL: %s" % e)
        return 1
    except Unreadable as e:
        print("ERROR: %s" % e, file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print("ERROR: cannot read %s: %s" % (path, e), file=sys.stderr)
        return 2
    except (KeyError, TypeError, AttributeError) as e:
        print("FAIL: export is malformed (%s: %s)" % (type(e).__name__, e))
        return 1
    print("OK: %(entries)d entries, %(signatures)d signatures, checkpoint at size %(checkpoint_size)d, root %(root)s" % summary)
    if summary["held"]:
        print("and it holds what the %(held)d checkpoint(s) given signed" % summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
