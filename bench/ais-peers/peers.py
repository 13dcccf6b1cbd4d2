#!/usr/bin/env python3
"""Time the non-Rust AIS decoders on one NMEA file (called by the Rust bench).

Prints one line per peer that is installed: name<TAB>messages<TAB>msg/s.
Peers: pyais and libais from PyPI (see tools/requirements.txt), gpsd's
gpsdecode from Debian's gpsd-clients. A missing peer is reported on stderr.
"""
import shutil
import subprocess
import sys
import time
import warnings


def bench_pyais(path):
    from pyais.stream import FileReaderStream

    n = 0
    t = time.perf_counter()
    for msg in FileReaderStream(path):
        try:
            msg.decode()
            n += 1
        except Exception:  # pyais raises on malformed payloads; count only decoded ones
            pass
    return n, time.perf_counter() - t


def bench_libais(path):
    warnings.simplefilter("ignore")
    import ais.stream

    n = 0
    t = time.perf_counter()
    with open(path, errors="replace") as f:
        for _ in ais.stream.decode(f, errorcb=lambda *a, **k: None):
            n += 1
    return n, time.perf_counter() - t


def bench_gpsdecode(path):
    exe = shutil.which("gpsdecode")
    if not exe:
        raise ImportError("gpsdecode not installed (Debian package gpsd-clients)")
    t = time.perf_counter()
    with open(path, "rb") as f:
        out = subprocess.run([exe, "-j"], stdin=f, capture_output=True, check=False).stdout
    dt = time.perf_counter() - t
    return out.count(b'"class":"AIS"'), dt


def main():
    path = sys.argv[1]
    for name, fn in [("pyais", bench_pyais), ("libais", bench_libais), ("gpsdecode", bench_gpsdecode)]:
        try:
            n, dt = fn(path)
        except ImportError as e:
            print(f"{name}: not run ({e})", file=sys.stderr)
            continue
        ver = ""
        try:
            if name == "pyais":
                import pyais

                ver = " " + pyais.__version__
            elif name == "libais":
                import ais

                ver = " " + getattr(ais, "__version__", "")
        except Exception:
            pass
        print(f"{name}{ver}\t{n}\t{n / dt:.0f}", flush=True)


if __name__ == "__main__":
    main()
