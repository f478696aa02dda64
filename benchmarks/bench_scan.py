"""Scan benchmark rows: wall time of one sweep from a sweep recording served at real-time pace by
`detector serve`, against the physical floor (steps x (dwell + 0.11 s settle)), and the pipeline's real-time
factor:

* E-GSM 925-960 MHz, every receiver (GSM and the band-8 LTE cell search): 25 steps of 1.11 s (LTE steps are
  1.42 MHz apart at 2.4 MS/s: the cell search reaches 710 kHz either side); --band GSM900: 22 steps.
* Band 20 (LTE only, 21 steps of 0.19 s) with three LTE cells (the crystal error learnt from the first
  decoded cell narrows the later steps' search) and with none (every step searched over +-120 ppm).

The E-GSM recording is the bundled `survey_egsm_sweep` scene generated again at the scan's steps with 1.11 s
per step (130 MB, in a temporary folder): the bundled one holds 25 ms per step, which the server loops, and
a signal that repeats every 25 ms (five LTE half-frames) looks to the LTE cell search like a PSS everywhere,
which no live signal does.
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


def _plan(which: tuple) -> list[float]:
    """The step centres `detector scan` plans at 2.4 MS/s for `which` (``("-f", "LO:HI")`` or ``("--band", B)``)."""
    sys.path.insert(0, ROOT)
    from detector.scanner import plan_sweep, targets_from
    from detector.survey import parse_range

    if which[0] == "-f":
        lo, hi = parse_range(which[1])
        targets = targets_from([(lo, hi)], [])
    else:
        targets = targets_from([], [which[1]])
    return [s.center_freq_hz for s in plan_sweep(targets, 2.4e6)]


def make_sweep(folder: str) -> str:
    """The bundled E-GSM emission sweep at the steps `scan -f 925M:960M` plans (25: the LTE cell search of
    band 8 reaches 710 kHz either side), 1.11 s per step (see the module notes); returns its .sigmf-meta."""
    sys.path.insert(0, ROOT)
    from detector.synth._shapes import SURVEY_EGSM_EMITTERS, write_emission_sweep

    base = os.path.join(folder, "survey_egsm_sweep_1s")
    write_emission_sweep(base, 925e6, 960e6, SURVEY_EGSM_EMITTERS, sample_rate_hz=2.4e6, dwell_s=1.11, crop=0.2,
                         noise_dbfs_per_200k=-55.0, seed=2, centers_hz=_plan(("-f", "925M:960M")))
    return base + ".sigmf-meta"


def scan_served(which: tuple, rec: str) -> tuple[float, str, list]:
    """Serve `rec` at real time and scan it with the arguments `which` (``--once`` unless they hold
    ``--repeat``): (wall seconds, the summary line plus the crystal-error log line if any, sorted PCIs of the
    LTE cells reported)."""
    import json

    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    port = _free_port()
    srv = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", rec, "-P", str(port), "--loop"],
                           stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(1.5)
        t0 = time.monotonic()
        once = () if "--repeat" in which else ("--once",)
        r = subprocess.run([sys.executable, "-m", "detector.cli", "scan", *which, "--rtl-tcp", f"127.0.0.1:{port}",
                            *once, "--json"], capture_output=True, text=True, env=env, timeout=900)
        wall = time.monotonic() - t0
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    pcis = sorted(x["identity"]["pci"] for x in map(json.loads, r.stdout.splitlines())
                  if x.get("kind") == "cell" and x.get("tech") == "lte")
    summary = next((ln for ln in r.stderr.splitlines() if ln.startswith("scan:")), r.stderr[-200:])
    learnt = [ln for ln in r.stderr.splitlines() if "crystal error" in ln]
    return wall, summary + (f"; {learnt[0].strip()}" if learnt else ""), pcis


def rows() -> list[tuple]:
    """(benchmark, input, MS/s, x real time, notes) rows."""
    import tempfile

    out = []
    folder = tempfile.mkdtemp(prefix="bench_scan_")
    try:
        rec = make_sweep(folder)
        # a range runs every receiver the band plan allows there (GSM and the LTE cell search, band 8);
        # --band GSM900 (918-960 MHz, 22 steps, of which the recording covers 35 MHz) the GSM receiver only
        for label, which, floor in (("scan 925-960 MHz, all receivers", ("-f", "925M:960M"), "25 x 1.11 s = 27.8 s"),
                                    ("scan --band GSM900", ("--band", "GSM900"), "22 x 1.11 s = 24.4 s")):
            wall, summary, _ = scan_served(which, rec)
            m = re.search(r"x([\d.]+) real time", summary)
            out.append((label, "served, real time", "", m.group(1) if m else "",
                        f"wall {wall:.1f} s (floor {floor}); {summary}"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out += lte_band_rows()
    out.append(gsm_then_lte_row())
    return out


def lte_band_rows() -> list[tuple]:
    """LTE-only sweeps of band 20 (791-821 MHz, 21 steps of 80 ms + 0.11 s settle: floor 4.0 s):

    * three LTE cells (1.4 MHz, 796.0, 806.0 and 816.0 MHz, 0 dB SNR, crystal -31 ppm), three sweeps: the first
      decoded cell gives the crystal error and the later steps (and sweeps) search +-5 ppm around it;
    * no cell: two LTE-shaped emitters (noise-like, no PSS), two sweeps: every step is searched over +-120 ppm,
      or +-5 ppm with ``--ppm-max 5`` (a TCXO or calibrated dongle).
    The summary line gives each sweep's wall time."""
    import tempfile

    sys.path.insert(0, ROOT)
    from detector.synth._lte import LteCellSpec, write_lte_sweep
    from detector.synth._shapes import write_emission_sweep

    centres = _plan(("--band", "B20"))
    floor = f"{len(centres)} x 0.19 s = {len(centres) * 0.19:.1f} s"
    out = []
    folder = tempfile.mkdtemp(prefix="bench_scan_b20_")
    try:
        cells = [LteCellSpec(pci=p, earfcn=e, n_rb_dl=6, snr_db=0.0, n_ports=2, sfn0=100 + p)
                 for p, e in ((11, 6200), (222, 6300), (433, 6400))]
        base = os.path.join(folder, "b20_cells")
        write_lte_sweep(base, cells, centres, 2.4e6, 0.19, ppm=-31.0, noise_dbfs=-30.0, seed=5)
        base2 = os.path.join(folder, "b20_empty")
        write_emission_sweep(base2, 791e6, 821e6, [{"shape": "lte", "freq_hz": 796e6, "power_dbfs": -30, "n_rb": 50},
                                                  {"shape": "lte", "freq_hz": 811e6, "power_dbfs": -35, "n_rb": 100}],
                             sample_rate_hz=2.4e6, dwell_s=0.19, crop=0.2, seed=5, centers_hz=centres)
        for label, rec, extra in (
                ("scan --band B20 --repeat 3, three LTE cells (crystal learnt)", base, ("--repeat", "3")),
                ("scan --band B20 --repeat 2, no LTE cell (+-120 ppm on every step)", base2, ("--repeat", "2")),
                ("scan --band B20 --repeat 2 --ppm-max 5, no LTE cell", base2, ("--repeat", "2", "--ppm-max", "5"))):
            wall, summary, found = scan_served(("--band", "B20", *extra), rec + ".sigmf-meta")
            m = re.search(r"x([\d.]+) real time", summary)
            out.append((label, "served, real time", "2.4", m.group(1) if m else "",
                        f"wall {wall:.1f} s (floor per sweep {floor}); cells {found}; {summary}"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def gsm_then_lte_row() -> tuple:
    """The everyday order (a site profile lists its GSM bands first): one GSM900 step at 948.0 MHz with the three
    GSM C0s of the border scene, then band 20 with no LTE cell (noise only), crystal -31 ppm: the crystal error
    the GSM cells give (their BSIC decoded) narrows the band-20 searches from the first LTE step on."""
    import tempfile

    sys.path.insert(0, ROOT)
    import datetime as dt

    from detector.sources import IQBlock
    from detector.sources._sigmf_writer import SigMFWriter
    from detector.synth._border import T0, _sweep_gsm_cells
    from detector.synth._gsm import gsm_scene
    from detector.synth._lte import lte_scene

    centres = _plan(("--band", "B20"))
    folder = tempfile.mkdtemp(prefix="bench_scan_gsm_b20_")
    try:
        base = os.path.join(folder, "gsm_b20")
        with SigMFWriter(base, 2.4e6, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                         description="one GSM900 step (3 C0s) then band 20 with no LTE cell") as w:
            x, _ = gsm_scene(_sweep_gsm_cells(11), 948e6, 2.4e6, 1.11, -31.0, -30.0, 11)
            steps = [(948e6, x)] + [(fc, lte_scene([], fc, 2.4e6, 0.19, -31.0, -30.0, 100 + i)[0])
                                    for i, fc in enumerate(centres)]
            start, t = 0, T0
            for seg, (fc, y) in enumerate(steps):
                w.write(IQBlock(y, fc, 2.4e6, start, t, segment=seg))
                start += y.size
                t += dt.timedelta(seconds=y.size / 2.4e6)
        wall, summary, _ = scan_served(("-f", "947.04M:948.96M", "--band", "B20", "--repeat", "2"),
                                       base + ".sigmf-meta")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    m = re.search(r"x([\d.]+) real time", summary)
    floor = f"1 x 1.11 s + {len(centres)} x 0.19 s = {1.11 + len(centres) * 0.19:.1f} s"
    return ("scan -f 947.04M:948.96M --band B20 --repeat 2 (GSM cells, then no LTE cell)", "served, real time",
            "2.4", m.group(1) if m else "", f"wall {wall:.1f} s (floor per sweep {floor}); {summary}")
