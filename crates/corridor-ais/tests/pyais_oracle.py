#!/usr/bin/env python3
"""pyais oracle for tests/pyais_differential.rs.

  pyais_oracle.py gen N SEED   print N random messages per fixed-layout type,
                               encoded by pyais: sentences of one message on
                               consecutive lines, a blank line after each.
  pyais_oracle.py decode       read such groups on stdin, print one JSON
                               object per group: pyais's decoded fields
                               (enums as ints, bytes as hex) or {"error": …}.
"""
import json
import random
import sys

import attr
import pyais
from pyais import decode, encode_dict
from pyais.messages import MSG_CLASS

SIXBIT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -./"

# Fixed layouts pyais can build from a field dict.
GEN_TYPES = [1, 2, 3, 4, 5, 7, 9, 10, 11, 13, 15, 16, 18, 19, 20, 21, 23, 27]


def random_fields(cls, rng):
    data = {}
    for f in attr.fields(cls):
        md = f.metadata
        if f.name in ("msg_type",) or md.get("is_spare"):
            continue
        width = md["width"]
        d_type = md["d_type"]
        if md.get("variable_length") or d_type is bytes:
            continue
        if d_type is str:
            n = rng.randint(1, width // 6)
            data[f.name] = "".join(rng.choice(SIXBIT) for _ in range(n)).strip()
        elif d_type is bool:
            data[f.name] = bool(rng.getrandbits(1))
        else:
            raw = rng.getrandbits(width)
            if md.get("signed") and raw >= 1 << (width - 1):
                raw -= 1 << width
            conv = md.get("from_converter")
            val = conv(raw) if conv else raw
            if hasattr(val, "value"):
                val = val.value
            data[f.name] = val
    return data


def gen(n, seed):
    rng = random.Random(seed)
    for t in GEN_TYPES:
        cls = MSG_CLASS[t]
        made = 0
        tries = 0
        while made < n and tries < n * 5:
            tries += 1
            data = random_fields(cls, rng)
            data["msg_type"] = t
            data["type"] = t
            try:
                sentences = encode_dict(data, radio_channel="A", talker_id="AI", seq_id=rng.randint(0, 9))
            except Exception:
                continue
            print("\n".join(sentences))
            print()
            made += 1


def plain(v):
    if hasattr(v, "value"):
        return v.value
    if isinstance(v, bytes):
        return v.hex()
    return v


def decode_groups():
    group = []
    for line in sys.stdin.read().split("\n") + [""]:
        line = line.strip()
        if line:
            group.append(line)
            continue
        if not group:
            continue
        try:
            msg = decode(*group)
            out = {k: plain(v) for k, v in msg.asdict().items()}
        except Exception as e:  # report, the Rust side decides
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out))
        group = []


if __name__ == "__main__":
    if sys.argv[1] == "version":
        print(pyais.__version__)
    elif sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]))
    else:
        decode_groups()
