#!/usr/bin/env python3
"""Time the non-Rust AIS decoders on one NMEA file (called by the Rust bench).

Prints one line per peer that is installed:
name<TAB>messages<TAB>msg/s<TAB>msg per CPU second (the decoder's own CPU time,
which other load on the machine does not inflate as much as wall time).
Peers: pyais and libais from PyPI (see tools/requirements.txt), gpsd's
gpsdecode from Debian's gpsd-clients. A missing peer is reported on stderr.
"""
import resource
import shutil
import subprocess
import sys
import time
import warnings


def bench_pyais(path):
    from pyais.stream import FileReaderStream

    n = 0
    t, c = time.perf_counter(), time.process_time()
    for msg in FileReaderStream(path):
        try:
            msg.decode()
            n += 1
        except Exception:  # pyais raises on malformed payloads; count only decoded ones
            pass
    return n, time.perf_counter() - t, time.process_time() - c


def bench_libais(path):
    warnings.simplefilter("ignore")
    import ais.stream

    n = 0
    t, c = time.perf_counter(), time.process_time()
    with open(path, errors="replace") as f:
        for _ in ais.stream.decode(f, errorcb=lambda *a, **k: None):
            n += 1
    return n, time.perf_counter() - t, time.process_time() - c


def bench_gpsdecode(path):
    exe = shutil.which("gpsdecode")
    if not exe:
        raise ImportError("gpsdecode not installed (Debian package gpsd-clients)")
    def children_cpu():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    t, c = time.perf_counter(), children_cpu()
    with open(path, "rb") as f:
        out = subprocess.run([exe, "-j"], stdin=f, capture_output=True, check=False).stdout
    dt = time.perf_counter() - t
    return out.count(b'"class":"AIS"'), dt, children_cpu() - c


def main():
    path = sys.argv[1]
    for name, fn in [("pyais", bench_pyais), ("libais", bench_libais), ("gpsdecode", bench_gpsdecode)]:
        try:
            n, dt, cpu = fn(path)
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
        print(f"{name}{ver}\t{n}\t{n / dt:.0f}\t{n / max(cpu, 1e-9):.0f}", flush=True)


if __name__ == "__main__":
    main()
