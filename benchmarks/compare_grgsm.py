"""Side by side with gr-gsm: the same recordings and the same synthetic carriers through both receivers.

    nice -n 19 python benchmarks/compare_grgsm.py [--skip-captures] [--skip-sensitivity]
                                                 [--esn0 1,2,...,9] [--ppm 0,20] [--workdir DIR] [--json OUT]

gr-gsm (Debian's ``gr-gsm`` package) runs with Debian's ``/usr/bin/python3`` through the helpers in
``../shared/peers`` (``--peers DIR``; see its README.md): ``grgsm_file_scan.py`` (grgsm_scanner's
wideband receiver and system-information extraction, on a file) and ``grgsm_compat.py grgsm_decode``
(``grgsm_decode`` on GNU Radio 3.10). Nothing of gr-gsm is imported here; it runs as a separate process.
When it is not installed its columns read ``n/a`` and a message says why.

1. **Captures** (`CAPTURES`): the simulated border scene (cu8, 2.4 MS/s, three C0 at ARFCN 62/64/66, receiver
   +40 ppm off) and two real captures (cf32). Ours: ``detector replay --json``; gr-gsm: ``grgsm_file_scan.py``.
   Table: per carrier, the identity each tool reports against the truth, and the wall time of each
   process (interpreter start-up included for both; gr-gsm's flowgraph time alone in brackets). On the
   single-carrier real captures also the BCCH+CCCH blocks each decodes (ours: ``receive`` with CCCH
   decoding; gr-gsm: ``grgsm_decode -m BCCH -t 0 -f FREQ``).
2. **Sensitivity**: the measure of peers/README.md, BCCH+CCCH blocks decoded from 4 s of one synthetic C0
   at Es/N0 1..9 dB (SNR in 200 kHz = Es/N0 + 1.32 dB). Each test file is written once (complex64, 1 MS/s,
   centred on the nominal carrier, unit-power carrier plus white noise, a fixed seed per Es/N0 and ppm) and
   both receivers read that same file: gr-gsm with ``grgsm_decode -m BCCH -t 0 -f F_NOMINAL``, ours with
   ``detector.gsm.receive(x, 1e6, ReceiverConfig(decode_ccch=True))``. Neither gets a frequency prior. The
   ``--ppm`` cases model a receiver whose crystal is that many ppm high (as `gsm_scene` does): the
   carrier appears ``ppm * f`` below the nominal centre (-18.9 kHz at +20 ppm) and the sample clock runs
   ``ppm`` fast. A block counts as decoded when it passed the Fire code (both tools report only those);
   ``wrong`` counts decoded blocks whose octets are not among those the generator sent.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.gsm import ReceiverConfig, receive  # noqa: E402
from detector.gsm._constants import FRAME_PERIOD_S  # noqa: E402
from detector.synth._gsm import PAGING_IDLE, GsmCell, arfcn_freq_hz, c0_signal, si_messages  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PEERS = os.path.abspath(os.path.join(ROOT, "..", "shared", "peers"))
REAL = os.path.abspath(os.path.join(ROOT, "..", "shared", "real-captures", "gsm"))
GR_PYTHON = "/usr/bin/python3"

#: name, path, format, rate, centre, truth (ARFCN -> identity; None: not known)
CAPTURES = [
    {"name": "border_948M (sim, +40 ppm)", "path": os.path.join(ROOT, "recordings", "gsm_border_948M.sigmf-data"),
     "format": "cu8", "rate": 2.048e6, "freq": 948.0e6, "truth": "json"},
    {"name": "GSMSP_953.6MHz_128 (real)",
     "path": os.path.join(REAL, "GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile"), "format": "cf32",
     "rate": 500e3, "freq": 953.6e6,
     "truth": {93: {"bsic": 56, "mcc": "272", "mnc": "02", "lac": 15016, "cell_id": 15149}}},
    {"name": "GSMSP_940.8Mhz_118 (real)", "path": os.path.join(REAL, "GSMSP_940.8Mhz_118.cfile"), "format": "cf32",
     "rate": 64e6 / 118, "freq": 940.8e6, "truth": None},
]

_GR_LINE = re.compile(r"^\s*(\d+)\s+(\d+):\s+((?:[0-9a-fA-F]{2}\s*){23})$")


# ----------------------------------------------------------------------------------------------------- tools

def grgsm_status(peers: str) -> str | None:
    """None when gr-gsm can run here, else why not."""
    if not os.path.exists(GR_PYTHON):
        return f"{GR_PYTHON} not found"
    for helper in ("grgsm_compat.py", "grgsm_file_scan.py"):
        if not os.path.exists(os.path.join(peers, helper)):
            return f"{os.path.join(peers, helper)} not found (--peers DIR)"
    if not shutil.which("grgsm_decode") or not shutil.which("grgsm_scanner"):
        return "gr-gsm is not installed (apt-get install -y gr-gsm)"
    r = subprocess.run([GR_PYTHON, "-c", "from gnuradio import gsm"], capture_output=True, text=True)
    if r.returncode:
        return "Debian's python cannot import gnuradio.gsm: " + r.stderr.strip().splitlines()[-1]
    return None


def _run(cmd: list[str], timeout: float = 900) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run a command; (result, wall s, CPU s of the child, all its threads)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return r, wall, cpu


def _detector_cmd() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "detector")
    if os.path.exists(exe):
        return [exe]
    return [sys.executable, "-c", "import sys; from detector.cli import main; sys.exit(main(sys.argv[1:]))"]


def ours_replay(cap: dict) -> dict:
    cmd = _detector_cmd() + ["replay", "--json"]
    if cap["format"] != "cu8" or not cap["path"].endswith(".sigmf-data"):
        cmd += ["-s", repr(cap["rate"]), "-f", repr(cap["freq"]), "--format", cap["format"]]
    r, wall, cpu = _run(cmd + [cap["path"]])
    if r.returncode:
        return {"error": r.stderr.strip()[-300:], "wall_s": wall}
    cells = {}
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if d.get("kind") == "cell" and d.get("tech") == "gsm":
            ident = d.get("identity", {})
            cells[int(d["channel"])] = {k: ident.get(k) for k in ("bsic", "mcc", "mnc", "lac", "cell_id")}
    return {"cells": cells, "wall_s": wall, "cpu_s": cpu, "cmd": " ".join(cmd + [cap["path"]])}


def grgsm_scan(cap: dict, peers: str, workdir: str) -> dict:
    out = os.path.join(workdir, "grgsm_scan.json")
    if os.path.exists(out):
        os.remove(out)
    cmd = [GR_PYTHON, os.path.join(peers, "grgsm_file_scan.py"), "-i", cap["path"], "-s", repr(cap["rate"]),
           "-f", repr(cap["freq"]), "--json", out] + (["--cu8"] if cap["format"] == "cu8" else [])
    r, wall, cpu = _run(cmd)
    if r.returncode or not os.path.exists(out):
        return {"error": (r.stderr.strip() or "no output")[-300:], "wall_s": wall}
    d = json.load(open(out))
    cells = {int(c["arfcn"]): {"bsic": None, "mcc": c["mcc"], "mnc": c["mnc"], "lac": c["lac"], "cell_id": c["cid"]}
             for c in d["cells"]}
    return {"cells": cells, "wall_s": wall, "cpu_s": cpu, "flowgraph_s": d.get("wall_s"), "cmd": " ".join(cmd)}


def grgsm_decode(path: str, fs: float, freq: float, peers: str) -> dict:
    """BCCH+CCCH blocks of timeslot 0 that grgsm_decode prints (only Fire-checked ones), as octets."""
    cmd = [GR_PYTHON, os.path.join(peers, "grgsm_compat.py"), "grgsm_decode", "-c", path, "-s", repr(fs),
           "-f", repr(freq), "-m", "BCCH", "-t", "0", "-v"]
    r, wall, cpu = _run(cmd)
    blocks = []
    for line in r.stdout.splitlines():
        m = _GR_LINE.match(line)
        if m:
            blocks.append((int(m.group(1)), bytes.fromhex(m.group(3).replace(" ", ""))))
    err = None
    if r.returncode:
        err = (r.stderr.strip() or f"exit {r.returncode}").splitlines()[-1]
    return {"blocks": blocks, "wall_s": wall, "cpu_s": cpu, "error": err, "cmd": " ".join(cmd)}


def ours_blocks(x: np.ndarray, fs: float, bsic: int | None = None) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    res = receive(x, fs, ReceiverConfig(decode_ccch=True))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if bsic is not None:
        res = [r for r in res if r.bsic == bsic]
    blocks = [(b.fn, bytes(b.octets)) for r in res[:1] for b in r.blocks]
    return {"blocks": blocks, "wall_s": wall, "cpu_s": cpu, "bsic": res[0].bsic if res else None}


def _read(path: str, fmt: str) -> np.ndarray:
    if fmt == "cf32":
        return np.fromfile(path, np.complex64)
    u = np.fromfile(path, np.uint8).astype(np.float32)
    return ((u[0::2] - 127.5) / 127.5 + 1j * (u[1::2] - 127.5) / 127.5).astype(np.complex64)


# ------------------------------------------------------------------------------------------------- captures

def _fmt_id(c: dict | None) -> str:
    if not c:
        return "-"
    bsic = "?" if c.get("bsic") is None else c["bsic"]
    return f"{c['mcc']}-{c['mnc']} LAC {c['lac']} CI {c['cell_id']} BSIC {bsic}"


def _matches(found: dict | None, truth: dict | None) -> str:
    """'ok' / 'WRONG' / 'missed' / '' (no truth) for one carrier; MCC/MNC compared as integers (gr-gsm)."""
    if not found:
        return "missed" if truth else ""
    if not truth:
        return ""
    same = (int(found["mcc"]) == int(truth["mcc"]) and int(found["mnc"]) == int(truth["mnc"])
            and found["lac"] == truth["lac"] and found["cell_id"] == truth["cell_id"]
            and (found.get("bsic") is None or found["bsic"] == truth["bsic"]))
    return "ok" if same else "WRONG"


def compare_captures(peers: str, gr_ok: bool, workdir: str) -> list[dict]:
    rows = []
    for cap in CAPTURES:
        if not os.path.exists(cap["path"]):
            print(f"  {cap['name']}: {cap['path']} not found, skipped")
            continue
        truth = cap["truth"]
        if truth == "json":
            t = json.load(open(cap["path"].replace(".sigmf-data", ".truth.json")))
            truth = {c["arfcn"]: {k: c[k] for k in ("bsic", "mcc", "mnc", "lac", "cell_id")} for c in t["cells"]}
        ours = ours_replay(cap)
        gr = grgsm_scan(cap, peers, workdir) if gr_ok else {"error": "gr-gsm not run"}
        row = {"capture": cap["name"], "ours": ours, "grgsm": gr, "truth": truth, "carriers": []}
        arfcns = sorted(set(truth or {}) | set(ours.get("cells", {})) | set(gr.get("cells", {})))
        for a in arfcns:
            t = (truth or {}).get(a)
            o, g = ours.get("cells", {}).get(a), gr.get("cells", {}).get(a)
            row["carriers"].append({"arfcn": a, "truth": t, "ours": o, "grgsm": g,
                                    "ours_check": _matches(o, t) if truth else "",
                                    "grgsm_check": (_matches(g, t) if truth else "") if gr_ok else "n/a"})
        if len(truth or {}) <= 1 and (cap["format"] == "cf32"):  # single carrier: blocks decoded by each
            bsic = next(iter(truth.values()))["bsic"] if truth else None
            ob = ours_blocks(_read(cap["path"], cap["format"]), cap["rate"], bsic)
            row["ours_blocks"] = len(ob["blocks"])
            if gr_ok:
                gd = grgsm_decode(cap["path"], cap["rate"], cap["freq"], peers)
                row["grgsm_blocks"] = len(gd["blocks"]) if not gd["error"] else gd["error"]
        rows.append(row)
    return rows


def print_captures(rows: list[dict]) -> None:
    print(f"\n{'capture':30s} {'ARFCN':>5s}  {'truth':40s} {'ours':40s} {'':6s} {'gr-gsm (BSIC not reported)':40s}")
    for row in rows:
        for i, c in enumerate(row["carriers"]):
            name = row["capture"] if i == 0 else ""
            gtxt = _fmt_id(c["grgsm"]) if "cells" in row["grgsm"] else "n/a"
            print(f"{name:30s} {c['arfcn']:5d}  {_fmt_id(c['truth']) if c['truth'] else '(unknown)':40s} "
                  f"{_fmt_id(c['ours']):40s} {c['ours_check']:6s} {gtxt:40s} {c['grgsm_check']}")
        if not row["carriers"]:
            print(f"{row['capture']:30s}  (no carrier found by either)")
    print("\nwall/CPU s: whole process (interpreter start-up included; CPU of all threads); "
          "gr-gsm's flowgraph alone in ()")
    print(f"{'capture':30s} {'found ours':>10s} {'found gr-gsm':>12s} {'wall/CPU ours':>14s} "
          f"{'wall/CPU gr-gsm':>22s} {'blocks ours':>11s} {'blocks gr-gsm':>13s}")
    for row in rows:
        o, g = row["ours"], row["grgsm"]
        nt = len(row["truth"] or {}) or "?"
        no = len(o.get("cells", {}))
        ng = len(g["cells"]) if "cells" in g else "n/a"
        ow = f"{o['wall_s']:.2f}/{o.get('cpu_s', float('nan')):.2f} s"
        gw = f"{g['wall_s']:.2f}/{g['cpu_s']:.2f} s ({g['flowgraph_s']:.2f})" if "flowgraph_s" in g else "n/a"
        gb = row.get("grgsm_blocks", "-" if "cells" in g else "n/a")
        print(f"{row['capture']:30s} {no:>5}/{nt:<4} {ng:>7}/{nt:<4} {ow:>14s} {gw:>22s} "
              f"{row.get('ours_blocks', '-'):>11} {gb:>13}")

# ---------------------------------------------------------------------------------------------- sensitivity

FS = 1.0e6
SENS_CELL = dict(arfcn=62, mcc="460", mnc="00", lac=9522, cell_id=4321, bsic=21, neighbours=[60, 64],
                 fn_start=51 * 8 * 1000 - 1, timing_offset_s=0.4 * FRAME_PERIOD_S)


def sens_file(workdir: str, esn0: float, ppm: float, seed: int = 0, seconds: float = 4.0) -> tuple[str, GsmCell]:
    """Write (once) 4 s of the test carrier at `esn0` dB, receiver crystal `ppm` high; complex64 at 1 MS/s.

    The noise seed is fixed by (esn0, ppm, seed); `seed` 0 is the default file of each point.
    """
    cell = GsmCell(**SENS_CELL)
    path = os.path.join(workdir, f"c0_esn0_{esn0:g}dB_{ppm:+g}ppm" + (f"_s{seed}" if seed else "") + ".cfile")
    if not os.path.exists(path):
        f = arfcn_freq_hz(cell.arfcn)
        n = int(seconds * FS)
        x, _ = c0_signal(cell, FS, n, offset_hz=f - f * (1 + ppm * 1e-6), ppm=ppm)
        rng = np.random.default_rng([int(1000 + 10 * esn0), int(1000 + 10 * ppm), seed])
        sigma = np.sqrt(10 ** (-(esn0 + 1.32) / 10) * FS / 200e3 / 2)
        x = x + (rng.standard_normal((n, 2)) * sigma).astype(np.float32).view(np.complex64)[:, 0]
        x.astype(np.complex64).tofile(path + ".part")
        os.replace(path + ".part", path)
    return path, cell


def compare_sensitivity(esn0s, ppms, peers: str, gr_ok: bool, workdir: str, seeds: int = 1) -> list[dict]:
    rows = []
    for ppm, esn0, seed in itertools.product(ppms, esn0s, range(seeds)):
        path, cell = sens_file(workdir, esn0, ppm, seed)
        f = arfcn_freq_hz(cell.arfcn)
        sent = set(si_messages(cell).values()) | {PAGING_IDLE}
        ob = ours_blocks(np.fromfile(path, np.complex64), FS)
        row = {"ppm": ppm, "esn0_db": esn0, "seed": seed, "ours": len(ob["blocks"]),
               "ours_wrong": sum(o not in sent for _, o in ob["blocks"]), "ours_bsic": ob["bsic"],
               "ours_cpu_s": round(ob["cpu_s"], 2)}
        if gr_ok:
            gd = grgsm_decode(path, FS, f, peers)
            row.update({"grgsm": len(gd["blocks"]) if not gd["error"] else None, "grgsm_error": gd["error"],
                        "grgsm_wrong": sum(o not in sent for _, o in gd["blocks"]),
                        "grgsm_cpu_s": round(gd["cpu_s"], 2), "grgsm_wall_s": round(gd["wall_s"], 2)})
        rows.append(row)
        print(f"  {ppm:+g} ppm Es/N0 {esn0:4g} dB seed {seed}: ours {row['ours']:4d} (wrong {row['ours_wrong']})  "
              f"gr-gsm {row.get('grgsm', 'n/a')} (wrong {row.get('grgsm_wrong', '-')})"
              + (f"  [{row['grgsm_error']}]" if row.get("grgsm_error") else ""), flush=True)
    return rows


def print_sensitivity(rows: list[dict]) -> None:
    n_blocks = round(4.0 / (51 * FRAME_PERIOD_S) * 10)  # 10 BCCH+CCCH blocks per 51-multiframe
    print(f"\nBCCH+CCCH blocks decoded from 4 s (about {n_blocks} sent), 1 MS/s complex64, same file to both:")
    print(f"{'offset (ppm, kHz)':>20s} {'Es/N0 dB':>8s} {'seed':>4s} {'ours':>6s} {'gr-gsm':>7s} {'wrong o/g':>10s} "
          f"{'CPU s ours':>10s} {'CPU s gr-gsm':>12s}")
    for r in rows:
        off = "none" if not r["ppm"] else f"{r['ppm']:+g} ppm ({-r['ppm'] * arfcn_freq_hz(62) * 1e-9:+.1f} kHz)"
        g = "n/a" if "grgsm" not in r else ("err" if r["grgsm"] is None else r["grgsm"])
        print(f"{off:>20s} {r['esn0_db']:8g} {r['seed']:4d} {r['ours']:6d} {g:>7} "
              f"{str(r['ours_wrong']) + '/' + str(r.get('grgsm_wrong', '-')):>10s} "
              f"{r['ours_cpu_s']:10.2f} {r.get('grgsm_cpu_s', float('nan')):12.2f}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--peers", default=PEERS, help="directory of grgsm_compat.py and grgsm_file_scan.py")
    p.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "compare_grgsm"),
                   help="where the synthetic test files are written (and reused)")
    p.add_argument("--esn0", default="1,2,3,4,5,6,7,8,9", help="Es/N0 points, dB (comma-separated)")
    p.add_argument("--ppm", default="0,20", help="receiver crystal errors, ppm (comma-separated)")
    p.add_argument("--seeds", type=int, default=1, help="noise seeds (files) per point (default 1)")
    p.add_argument("--skip-captures", action="store_true")
    p.add_argument("--skip-sensitivity", action="store_true")
    p.add_argument("--json", metavar="OUT", help="write all figures as JSON")
    a = p.parse_args(argv)
    os.makedirs(a.workdir, exist_ok=True)
    why = grgsm_status(a.peers)
    if why:
        print(f"gr-gsm parts skipped: {why}. Only our receiver's figures follow.")
    report = {"grgsm": why or "ok"}
    if not a.skip_captures:
        print("Captures: carriers and identities (ours: detector replay --json; gr-gsm: grgsm_file_scan.py)")
        report["captures"] = compare_captures(a.peers, why is None, a.workdir)
        print_captures(report["captures"])
    if not a.skip_sensitivity:
        print("\nSensitivity (peers/README.md measure):")
        esn0s = [float(v) for v in a.esn0.split(",")]
        ppms = [float(v) for v in a.ppm.split(",")]
        report["sensitivity"] = compare_sensitivity(esn0s, ppms, a.peers, why is None, a.workdir, a.seeds)
        print_sensitivity(report["sensitivity"])
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(report, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
