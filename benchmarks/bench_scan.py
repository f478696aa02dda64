"""Scan benchmark row: wall time of one E-GSM sweep (925-960 MHz, 1 s GSM dwell) from a sweep recording
served at real-time pace by `detector serve`, and the pipeline's real-time factor.

The physical floor is steps x (dwell + settle): 19 x (1.0 s + 0.11 s) = 21 s at 2.4 MS/s.

The recording is the bundled `survey_egsm_sweep` scene (GSM, LTE, UMTS and CW emitters) generated again with
1.11 s per step (100 MB, in a temporary folder): the bundled one holds 25 ms per step, which the server
loops, and a signal that repeats every 25 ms (five LTE half-frames) looks to the LTE cell search like a PSS
everywhere, which no live signal does.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_sweep(folder: str) -> str:
    """The bundled E-GSM emission sweep, 1.11 s per step (see the module notes); returns its .sigmf-meta."""
    sys.path.insert(0, ROOT)
    from detector.synth._shapes import SURVEY_EGSM_EMITTERS, write_emission_sweep

    base = os.path.join(folder, "survey_egsm_sweep_1s")
    write_emission_sweep(base, 925e6, 960e6, SURVEY_EGSM_EMITTERS, sample_rate_hz=2.4e6, dwell_s=1.11, crop=0.2,
                         noise_dbfs_per_200k=-55.0, seed=2)
    return base + ".sigmf-meta"


def scan_egsm(which: tuple = ("-f", "925M:960M"), rec: str | None = None) -> tuple[float, str]:
    """(wall seconds, the scan's summary line) of one sweep planned from `which` (scan arguments)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    port = _free_port()
    rec = rec or os.path.join(ROOT, "recordings", "survey_egsm_sweep.sigmf-meta")
    srv = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", rec, "-P", str(port), "--loop"],
                           stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(1.5)
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "detector.cli", "scan", *which, "--rtl-tcp",
                            f"127.0.0.1:{port}", "--once", "--json"], capture_output=True, text=True, env=env,
                           timeout=900)
        wall = time.monotonic() - t0
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    summary = next((ln for ln in r.stderr.splitlines() if ln.startswith("scan:")), r.stderr[-200:])
    return wall, summary


def rows() -> list[tuple]:
    """(benchmark, input, MS/s, x real time, notes) rows."""
    import tempfile

    out = []
    folder = tempfile.mkdtemp(prefix="bench_scan_")
    try:
        rec = make_sweep(folder)
        # a range runs every receiver the band plan allows there (GSM and the LTE cell search, band 8);
        # --band GSM900 (918-960 MHz, 22 steps, of which the recording covers 19 MHz) the GSM receiver only
        for label, which, floor in (("scan 925-960 MHz, all receivers", ("-f", "925M:960M"), "19 x 1.11 s = 21.1 s"),
                                    ("scan --band GSM900", ("--band", "GSM900"), "22 x 1.11 s = 24.4 s")):
            wall, summary = scan_egsm(which, rec)
            m = re.search(r"x([\d.]+) real time", summary)
            out.append((label, "served, real time", "", m.group(1) if m else "",
                        f"wall {wall:.1f} s (floor {floor}); {summary}"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out.append(lte_band_row())
    return out


def lte_band_row() -> tuple:
    """An LTE-only sweep: band 20 (791-821 MHz, 16 steps of 80 ms + 0.11 s settle: floor 3.0 s) with two
    LTE-shaped emitters (noise-like, no PSS: what most steps of a band look like to the cell search)."""
    import tempfile

    sys.path.insert(0, ROOT)
    from detector.synth._shapes import write_emission_sweep

    folder = tempfile.mkdtemp(prefix="bench_scan_b20_")
    try:
        base = os.path.join(folder, "b20")
        write_emission_sweep(base, 791e6, 821e6, [{"shape": "lte", "freq_hz": 796e6, "power_dbfs": -30, "n_rb": 50},
                                                 {"shape": "lte", "freq_hz": 811e6, "power_dbfs": -35, "n_rb": 100}],
                             sample_rate_hz=2.4e6, dwell_s=0.19, crop=0.2, seed=5)
        wall, summary = scan_egsm(("--band", "B20"), base + ".sigmf-meta")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    m = re.search(r"x([\d.]+) real time", summary)
    return ("scan --band B20 (LTE only)", "served, real time", "", m.group(1) if m else "",
            f"wall {wall:.1f} s (floor 16 x 0.19 s = 3.0 s); {summary}")
