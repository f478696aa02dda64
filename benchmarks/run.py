"""Print the benchmark table: replay throughput and peak memory of the capture layer.

    python -m benchmarks.run                 # 1 GB and 4 GB cu8 files (about 40 s, 5 GB of disk)
    python -m benchmarks.run --sizes 0.25 1  # other sizes in GB
    python -m benchmarks.run --dir /tmp/x    # where the test files go (deleted afterwards unless --keep)

Rows (each measured in a fresh Python process, one core):

* ``replay source``: `open_recording(...).blocks()` -- read + cu8->complex64 conversion.
* ``replay pipeline``: the same through `detector.pipeline.run` with every registered analyzer
  (what ``detector replay`` runs).
* ``survey PSD+CFAR``: streaming Welch PSD and occupancy on 2.4 MS/s noise (``benchmarks/bench_survey.py``).
* ``survey 35 MHz``: wall time of ``detector survey``'s core on the bundled E-GSM sweep recording.
* ``handset gsm/lte Pd``, ``handset false``: handset detection probability vs SNR and false handsets on
  noise-only and downlink-only captures (``benchmarks/bench_uplink.py``).
* ``scan E-GSM sweep``: one ``detector scan --once`` of 925-960 MHz against the bundled sweep served at
  real-time pace over rtl_tcp on loopback (``benchmarks/bench_scan.py``).

Throughput is in MS/s and as a multiple of 2.4 MS/s real time (an RTL-SDR at its usual rate).
Peak RSS must not grow with the file size: a 4 GB file needs the same memory as a 1 GB file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REALTIME_SPS = 2.4e6


def make_cu8(path: str, size_bytes: int, seed: int = 1) -> None:
    """Write `size_bytes` of noise-like cu8 (2.4 MS/s, 947.4 MHz in the name) in 64 MiB pieces."""
    rng = np.random.default_rng(seed)
    chunk = np.clip(rng.normal(127.5, 20, 64 << 20), 0, 255).astype(np.uint8).tobytes()
    with open(path, "wb") as fh:
        left = size_bytes
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def measure(path: str, mode: str) -> dict:
    """Replay `path` in a child process and return its figures."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # one core, as the issue asks, so figures do not depend on how many BLAS threads exist
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-m", "benchmarks._replay_child", path, mode], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    print(f"{'benchmark':<18} {'input':<16} {'MS/s':>8} {'x real time':>12}  notes")
    ap.add_argument("--sizes", type=float, nargs="+", default=[1.0, 4.0], help="file sizes in GB (1e9 bytes)")
    ap.add_argument("--dir", default=None, help="directory for the test files (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--only", choices=("replay", "survey", "scan", "uplink"), help="run one group of rows")
    args = ap.parse_args(argv)
    rows = []
    if args.only in (None, "survey"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from benchmarks import bench_survey

        for name, inp, msps, rt, extra in bench_survey.rows():
            print(f"{name:<18} {inp:<16} {msps:>8} {rt:>12}  {extra}")
    if args.only in (None, "scan"):
        from benchmarks import bench_scan

        for name, inp, msps, rt, extra in bench_scan.rows():
            print(f"{name:<18} {inp:<16} {msps:>8} {rt:>12}  {extra}")
    if args.only in (None, "uplink"):
        from benchmarks import bench_uplink

        for name, inp, msps, rt, extra in bench_uplink.rows():
            print(f"{name:<18} {inp:<16} {msps:>8} {rt:>12}  {extra}")
    if args.only in ("survey", "scan", "uplink"):
        return 0
    workdir = args.dir or tempfile.mkdtemp(prefix="detector-bench-")
    os.makedirs(workdir, exist_ok=True)
    for gb in args.sizes:
        path = os.path.join(workdir, f"bench_{gb:g}GB_947.4M_2.4M.cu8")
        if not os.path.exists(path) or os.path.getsize(path) != int(gb * 1e9):
            make_cu8(path, int(gb * 1e9))
        for mode in ("source", "pipeline"):
            r = measure(path, mode)
            msps = r["samples"] / r["wall_s"] / 1e6
            rows.append((f"replay {mode}", f"{gb:g} GB cu8", msps, msps * 1e6 / REALTIME_SPS, r["peak_rss_mib"]))
        if not args.keep:
            os.remove(path)
    for name, inp, msps, rt, rss in rows:
        print(f"{name:<18} {inp:<16} {msps:8.1f} {rt:12.1f}  peak RSS {rss:.1f} MiB")
    if not args.keep and not args.dir:
        os.rmdir(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
