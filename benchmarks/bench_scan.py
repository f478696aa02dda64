"""Scan benchmark row: wall time of one E-GSM sweep (925-960 MHz, 1 s GSM dwell) from the bundled sweep
recording served at real-time pace by `detector serve`, and the pipeline's real-time factor.

The physical floor is steps x (dwell + settle): 19 x (1.0 s + 0.11 s) = 21 s at 2.4 MS/s.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scan_egsm(which: tuple = ("-f", "925M:960M")) -> tuple[float, str]:
    """(wall seconds, the scan's summary line) of one sweep planned from `which` (scan arguments)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    port = _free_port()
    rec = os.path.join(ROOT, "recordings", "survey_egsm_sweep.sigmf-meta")
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
    out = []
    # a range runs every receiver the band plan allows there (GSM and the LTE cell search, band 8); --band GSM900
    # (918-960 MHz, 22 steps, of which the recording covers 19 MHz) runs the GSM receiver only
    for label, which, floor in (("scan 925-960 MHz, all receivers", ("-f", "925M:960M"), "19 x 1.11 s = 21.1 s"),
                                ("scan --band GSM900", ("--band", "GSM900"), "22 x 1.11 s = 24.4 s")):
        wall, summary = scan_egsm(which)
        m = re.search(r"x([\d.]+) real time", summary)
        out.append((label, "served, real time", "", m.group(1) if m else "",
                    f"wall {wall:.1f} s (floor {floor}); {summary}"))
    return out
