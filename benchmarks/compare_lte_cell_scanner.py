"""Our LTE cell search and LTE-Cell-Scanner's ``CellSearch`` on the same files, side by side.

    PYTHONPATH=. python benchmarks/compare_lte_cell_scanner.py --cellsearch /path/to/CellSearch [--trials 10]

``CellSearch`` is JiaoXianjun's fork of LTE-Cell-Scanner (FDD and TDD, ``--loadbin``); it is not packaged
for Debian, so build it yourself (cmake with ``-DUSE_OPENCL=0 -DUSE_BLADERF=0 -DUSE_HACKRF=0``, needs
libitpp-dev, libfftw3-dev, librtlsdr-dev, boost). Its ``--loadbin`` reads rtl_sdr bytes (I/Q uint8, offset
128) after a 128-byte header of 8 (magic double, uint64) pairs giving the centre frequency and the rate,
and searches 80 ms per try.

1. The real captures of ``../shared/real-captures/lte`` (when present): the cells each tool reports.
2. Synthetic 80 ms captures at 1.92 MS/s (one FDD cell, 25 RB, random PCI, +-60 ppm crystal, cu8) at
   several SNRs in the 1.92 MHz band: how often each tool reports the right PCI (and nothing else), and the
   wall time per capture (ours: +-120 ppm search with no prior; CellSearch: its default +-140 kHz).

Measured (2026-12-02, 2-core VM, CellSearch built from the stored fork at 816b166b):

- f1890_s1.92_g0_0.16s.bin: CellSearch PCI 253 (TDD, 2 ports, 100 RB, -41.1 kHz); ours 253 and 312.
- f1860_s1.92_g0_1s_rtlsdr.bin: CellSearch PCI 86 (FDD, 2 ports, 100 RB, -44.1 kHz), in 18 of its 24
  80 ms windows; ours 86 and 142 (on the whole second and in separate 320 ms pieces).
- signal.1.92M.dat (5 ms, tiled to 80 ms for CellSearch): both PCI 150, 50 RB.
- f2646 noise: neither reports a cell.
- CellSearch takes 4.3-4.5 s per 80 ms try (its PSS correlation about 3.7 s); ours about 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.lte import search  # noqa: E402
from detector.synth._lte import LteCellSpec, cell_signal  # noqa: E402
from detector.synth._scene import quantise_cu8  # noqa: E402

FS = 1.92e6
FC = 1860e6
REAL = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "real-captures", "lte")
#: The magic doubles that open each (magic, value) pair of CellSearch's --loadbin header.
LOADBIN_MAGIC = (73492.215, -0.7923597, -189978508, 93.126712, -53243.129, 0.0008123898, -6.0098321, 237.09983)


def write_loadbin(path: str, iq_u8: np.ndarray, center_freq_hz: float, sample_rate_hz: float = FS) -> None:
    """Write interleaved uint8 I/Q (offset 128) behind CellSearch's 128-byte header."""
    values = (int(center_freq_hz), int(center_freq_hz), int(sample_rate_hz), int(sample_rate_hz), 0, 0, 0, 0)
    with open(path, "wb") as fh:
        fh.write(b"".join(struct.pack("<dQ", m, v) for m, v in zip(LOADBIN_MAGIC, values, strict=True)))
        fh.write(np.asarray(iq_u8, np.uint8).tobytes())


def to_u8(x: np.ndarray) -> np.ndarray:
    """complex samples (full scale 1.0) -> interleaved uint8 with offset 128, as rtl_sdr writes."""
    v = np.empty(2 * x.size, np.float64)
    v[0::2], v[1::2] = x.real, x.imag
    return np.clip(np.round(v * 128 + 128), 0, 255).astype(np.uint8)


def run_cellsearch(binary: str, path: str, timeout: float = 120.0) -> tuple[list[dict], float]:
    """CellSearch's 'Detected the following cells' table as dicts, and its wall time (s)."""
    t0 = time.monotonic()
    r = subprocess.run([binary, "--loadbin", path], capture_output=True, text=True, timeout=timeout)
    wall = time.monotonic() - t0
    cells = []
    lines = r.stdout.splitlines()
    if "Detected the following cells:" in lines:
        for ln in lines[lines.index("Detected the following cells:") + 3:]:
            m = re.match(r"\s*(TDD|FDD)\s+(\d+)\s+(\d)\s+\S+\s+(\S+)\s+(\S+)\s+(\w)\s+(\d+)\s+(\w)\s+(\S+)", ln)
            if not m:
                break
            cells.append({"duplex": m.group(1).lower(), "pci": int(m.group(2)), "ports": int(m.group(3)),
                          "offset": m.group(4), "n_rb": int(m.group(7))})
    return cells, wall


def real_captures(binary: str, tmp: str) -> None:
    files = [("f1890_s1.92_g0_0.16s.bin", 1890e6, "cu8"), ("f1860_s1.92_g0_1s_rtlsdr.bin", 1860e6, "cu8"),
             ("f2646_s1.92_noise_hackrf.bin", 2646e6, "ci8")]
    for name, fc, kind in files:
        path = os.path.join(REAL, name)
        if not os.path.exists(path):
            print(f"  {name}: not present, skipped")
            continue
        raw = np.fromfile(path, np.int8 if kind == "ci8" else np.uint8)
        u8 = (raw.astype(np.int16) + 128).astype(np.uint8) if kind == "ci8" else raw
        x = ((u8[0::2].astype(np.float32) - 128) + 1j * (u8[1::2].astype(np.float32) - 128)) / 128
        t0 = time.monotonic()
        ours = search(x.astype(np.complex64), FS, fc)
        t_ours = time.monotonic() - t0
        lb = os.path.join(tmp, name)
        write_loadbin(lb, u8, fc)
        theirs, t_theirs = run_cellsearch(binary, lb)
        print(f"  {name}: ours {[c.pci for c in ours]} ({t_ours:.1f} s, {x.size / FS:.2f} s of signal); "
              f"CellSearch {[c['pci'] for c in theirs]} ({t_theirs:.1f} s)")


def synthetic(binary: str, tmp: str, snrs: list[int], trials: int) -> None:
    rng = np.random.default_rng(3)
    n = int(0.08 * FS) + 4800  # CellSearch reads whole 80 ms chunks: a little more than one
    for snr in snrs:
        ok_ours = ok_theirs = 0
        t_ours = t_theirs = 0.0
        for t in range(trials):
            spec = LteCellSpec(pci=int(rng.integers(0, 504)), earfcn=1750, n_ports=int(rng.choice([1, 2])),
                               n_rb_dl=25, snr_db=0.0, sfn0=int(rng.integers(0, 1024)),
                               frame_start_s=float(rng.uniform(0, 0.01)))
            ppm = float(rng.uniform(-60, 60))
            clean, _ = cell_signal(spec, FS, n, FC - FC * (1 + ppm * 1e-6), ppm, np.random.default_rng(100 + t))
            noise = (rng.standard_normal((n, 2)) / np.sqrt(2)).view(np.complex128)[:, 0]
            x = quantise_cu8(((clean * 10 ** (snr / 20) + noise) * 0.08).astype(np.complex64))
            t0 = time.monotonic()
            pcis = [c.pci for c in search(x, FS, FC)]
            t_ours += time.monotonic() - t0
            ok_ours += pcis == [spec.pci]
            lb = os.path.join(tmp, f"synth_{snr}_{t}.bin")
            write_loadbin(lb, to_u8(x), FC)
            theirs, wall = run_cellsearch(binary, lb)
            t_theirs += wall
            ok_theirs += [c["pci"] for c in theirs] == [spec.pci]
            os.remove(lb)
        print(f"  {snr:+3d} dB: P(PCI) ours {ok_ours / trials:.2f} ({t_ours / trials:.2f} s per capture), "
              f"CellSearch {ok_theirs / trials:.2f} ({t_theirs / trials:.2f} s)", flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cellsearch", default=os.environ.get("LTE_CELL_SCANNER") or shutil.which("CellSearch"),
                   help="path of LTE-Cell-Scanner's CellSearch (default: $LTE_CELL_SCANNER or PATH)")
    p.add_argument("--trials", type=int, default=10, help="synthetic captures per SNR point")
    p.add_argument("--snrs", default="-12,-10,-8,-6,-4")
    a = p.parse_args(argv)
    if not a.cellsearch or not os.path.exists(a.cellsearch):
        print("CellSearch not found: give --cellsearch PATH (see this script's docstring to build it)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        print("Real captures:")
        real_captures(a.cellsearch, tmp)
        print(f"Synthetic 80 ms captures, {a.trials} per point (one FDD cell, +-60 ppm, cu8):")
        synthetic(a.cellsearch, tmp, [int(s) for s in a.snrs.split(",")], a.trials)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
