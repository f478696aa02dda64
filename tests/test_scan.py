"""`detector scan`: planning, the live table, and the live path end to end against `detector serve` on loopback
(same detections as replay; a server that dies -> exit 3 with what was found; Ctrl-C -> exit 130)."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import RECORDINGS, free_port, subprocess_env

from detector.scanner import LiveTable, check_reachable, plan_sweep, record_key, targets_from

SWEEP = os.path.join(RECORDINGS, "survey_egsm_sweep.sigmf-meta")


def test_plan_dwell_by_technology_and_tuner_reach():
    targets = targets_from([(925e6, 960e6)], ["B39", "B41"])
    assert [t.techs for t in targets] == [("gsm", "lte", "nr", "umts"), ("lte",), ("lte",)]
    steps = plan_sweep(targets, 2.4e6, 0.2, {"gsm": 1.0, "lte": 0.08})
    assert {s.label: s.dwell_s for s in steps} == {"925-960 MHz": 1.0, "B39": 0.08, "B41": 0.08}
    assert sum(s.label == "B39" for s in steps) == 28  # 40 MHz, LTE carrier centres +-710 kHz from each step
    kept, msgs = check_reachable(steps, ((24e6, 1766e6),), "R820T")
    assert {s.label for s in kept} == {"925-960 MHz"} and [s.index for s in kept] == list(range(len(kept)))
    assert msgs[0].startswith("B39: 28 step(s) at 1881.0-1919.0 MHz are beyond the R820T tuner's range "
                              "(24-1766 MHz); skipped")


def test_lte_steps_leave_no_carrier_between_them():
    """Every raster point an LTE carrier of band 20 may be centred on (791.7-820.3 MHz) is within the cell
    search's reach (`lte_reach_hz`) of a step; the survey's 1.92 MHz spacing would leave 400 kHz gaps."""
    from detector.lte import lte_reach_hz
    from detector.survey import plan_hops

    reach = lte_reach_hz(2.4e6)
    raster = np.arange(791.7e6, 820.3e6 + 1, 100e3)

    def uncovered(centres):
        return int(sum(min(abs(f - c) for c in centres) > reach for f in raster))

    steps = plan_sweep(targets_from([], ["B20"]), 2.4e6, 0.2)
    assert len(steps) == 21 and uncovered([s.center_freq_hz for s in steps]) == 0
    assert uncovered(plan_hops(791e6, 821e6, 2.4e6, 0.2)) > 40
    # the survey still sees the whole band: the central 80 % of the first and last steps reach its edges
    assert steps[0].center_freq_hz - 0.96e6 <= 791e6 and steps[-1].center_freq_hz + 0.96e6 >= 821e6
    # a GSM-only band keeps the survey's spacing
    assert len(plan_sweep(targets_from([], ["E-GSM"]), 2.4e6, 0.2)) == 19


def test_gsm_dwell_catches_si3():
    from detector.scanner import DEFAULT_DWELL_S

    assert DEFAULT_DWELL_S["gsm"] >= 4 * 51 * 120 / 26 / 1000  # SI3 every 4 51-multiframes = 0.94 s


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_live_table_highlights_foreign_rows_and_honours_no_color():
    foreign = {"kind": "cell", "tech": "gsm", "band": "GSM900", "channel": 62, "freq_hz": 947.4e6,
               "identity": {"bsic": 21, "mcc": "460", "mnc": "00", "lac": 12345, "cell_id": 4321},
               "operator": {"name": "China Mobile"}, "power_dbfs": -31.2, "snr_db": 24.8, "verdict": "foreign"}
    out = _Tty()
    t = LiveTable(out, min_interval_s=0, env={})
    t.add(record_key(foreign), foreign)
    text = out.getvalue()
    assert "\x1b[1;31m" in text and "460-00" in text and "China Mobile" in text and "foreign" in text
    out = _Tty()
    t = LiveTable(out, min_interval_s=0, env={"NO_COLOR": "1"})
    t.add(record_key(foreign), foreign)
    assert "\x1b[1;31m" not in out.getvalue() and "460-00" in out.getvalue()
    out = io.StringIO()  # not a TTY: one log line per new detection, no redraws
    t = LiveTable(out, min_interval_s=0, env={})
    t.add(record_key(foreign), foreign)
    t.add(record_key(foreign), foreign)
    assert out.getvalue().count("\n") == 1 and "\x1b[" not in out.getvalue()


def test_live_table_keeps_log_messages_under_the_table_on_a_tty():
    rec = {"kind": "cell", "tech": "gsm", "freq_hz": 947.4e6, "identity": {"bsic": 21}, "verdict": "domestic"}
    out = _Tty()
    t = LiveTable(out, min_interval_s=3600, env={})
    t.add(record_key(rec), rec)
    for i in range(LiveTable.MESSAGES + 1):
        t.log(f"message {i}")
    last = out.getvalue().rsplit("\x1b[H\x1b[2J", 1)[1]  # the last redraw (forced: throttling would hide it)
    assert last.index("947.400") < last.index(f"message {LiveTable.MESSAGES}")  # under the table
    assert "message 0" not in last and "message 1" in last  # the last few only
    out = io.StringIO()
    t = LiveTable(out, env={})
    t.log("reconnected to rtl_tcp")
    assert out.getvalue() == "detector scan: reconnected to rtl_tcp\n"




def _serve(port, *extra):
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", SWEEP, "-P", str(port), *extra],
                            stderr=subprocess.DEVNULL, env=subprocess_env())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            time.sleep(0.3)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("detector serve did not start")


def _stop(proc):
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_scan_once_over_rtl_tcp_reports_what_replay_reports(cli_subprocess):
    port = free_port()
    srv = _serve(port, "--loop")
    try:
        r = cli_subprocess("scan", "--band", "E-GSM", "--rtl-tcp", f"127.0.0.1:{port}", "--once", "--json",
                           "--dwell-gsm", "0.1", timeout=120)
    finally:
        _stop(srv)
    assert r.returncode == 0, r.stderr
    live = [json.loads(line) for line in r.stdout.splitlines()]
    replay = [json.loads(line) for line in cli_subprocess("replay", "--json", SWEEP).stdout.splitlines()]
    key = lambda rec: (rec["kind"], rec["shape"], round(rec["freq_hz"] / 1e5))  # noqa: E731
    strong = lambda recs: sorted(key(x) for x in recs if x.get("snr_db", 99) > 6)  # noqa: E731
    assert strong(live) == strong(replay) and len(strong(live)) == 8
    assert "scan: 1 sweep(s), 19 step(s)" in r.stderr and "dropped 0" in r.stderr


def test_scan_server_lost_mid_sweep_exits_3_and_keeps_detections(cli_subprocess, tmp_path):
    port = free_port()
    srv = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", SWEEP, "-P", str(port), "--loop"],
                           stderr=subprocess.PIPE, text=True, env=subprocess_env())
    db = tmp_path / "scan.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "scan", "--band", "E-GSM", "--rtl-tcp",
                             f"127.0.0.1:{port}", "--once", "--json", "--dwell-gsm", "0.2", "--reconnect", "1",
                             "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
    # the server dies once the scan has tuned to its 6th step (of 19; 929 MHz is in the 3rd), however long
    # the scan took to start
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = srv.stderr.readline()
        if not line or "segment 5 " in line:
            break
    srv.kill()
    srv.wait(timeout=10)
    out, err = proc.communicate(timeout=60)
    assert "19 step(s)" not in err  # the sweep was cut short
    assert proc.returncode == 3, err
    assert "rtl_tcp 127.0.0.1" in err and "Traceback" not in err
    recs = [json.loads(line) for line in out.splitlines()]
    assert any(r["shape"] == "narrowband" and abs(r["freq_hz"] - 929e6) < 20e3 for r in recs), (out, err)
    from detector.store import Store

    with Store(db) as s:  # every detection printed is in the database, and the session is closed
        assert sorted(r["freq_hz"] for r in s.detections()) == sorted(r["freq_hz"] for r in recs)
        assert s.sessions()[0]["ended"] is not None


def test_scan_sigint_exits_130_and_keeps_detections(cli_subprocess):
    """Ctrl-C once the first GSM-shaped emission has been printed (a full sweep of 8 steps is done by then,
    however loaded the machine): exit 130, the summary, and every record printed so far kept."""
    port = free_port()
    srv = _serve(port, "--loop")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "scan", "-f", "925M:940M", "--rtl-tcp",
                                 f"127.0.0.1:{port}", "--json", "--dwell-gsm", "0.1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
        lines = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if json.loads(line).get("shape") == "gsm":
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        _stop(srv)
    assert proc.returncode == 130, err
    assert "interrupted; detections so far are kept" in err
    assert any(json.loads(line)["shape"] == "gsm" for line in lines + out.splitlines())


def test_scan_unreachable_bands_are_explained(cli_subprocess):
    port = free_port()
    srv = _serve(port, "--loop")
    try:
        r = cli_subprocess("scan", "--band", "B41", "--rtl-tcp", f"127.0.0.1:{port}", "--once", timeout=60)
    finally:
        _stop(srv)
    assert r.returncode == 2
    assert "beyond the R820T tuner's range (24-1766 MHz); skipped" in r.stderr
    assert "no step of the requested bands is within the tuner's range" in r.stderr


def test_scan_finds_handsets_in_an_uplink_step(cli_subprocess):
    """Scanning the uplink step of the handset scene over rtl_tcp reports its GSM and LTE handsets."""
    port = free_port()
    rec = os.path.join(RECORDINGS, "uplink_handsets.sigmf-meta")
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", rec, "-P", str(port), "--loop"],
                            stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        time.sleep(1.5)
        # one step: 889.0 MHz +- 0.96 MHz, the recording's uplink tuning
        r = cli_subprocess("scan", "-f", "888.04M:889.96M", "--rtl-tcp", f"127.0.0.1:{port}", "--once", "--json",
                           "--dwell", "0.5", timeout=120)
    finally:
        _stop(proc)
    assert r.returncode == 0, r.stderr
    hs = [json.loads(line) for line in r.stdout.splitlines() if json.loads(line)["kind"] == "handset"]
    assert sorted((h["tech"], h.get("channel"), h["verdict"]) for h in hs) == [("gsm", 1015, "foreign"),
                                                                             ("lte", None, "foreign")]


@pytest.mark.parametrize("jobs", ["0", "2"])
def test_scan_reports_the_gsm_cells_and_verdicts_that_replay_reports(cli_subprocess, jobs):
    """End to end: the GSM border recording served as a dongle; scan and replay agree cell for cell, verdicts
    included, and no emission record duplicates an identified cell; with the receivers in this process (-j 0)
    or in worker processes (-j 2)."""
    port = free_port()
    rec = os.path.join(RECORDINGS, "gsm_border_948M.sigmf-meta")
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", rec, "-P", str(port), "--loop"],
                            stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        time.sleep(1.5)
        # one step at 948.0 MHz (the recording's rate, 2.048 MS/s, 20 % cropped: 1.64 MHz)
        r = cli_subprocess("scan", "-f", "947.2M:948.8M", "-s", "2.048M", "--rtl-tcp", f"127.0.0.1:{port}", "--once",
                           "--json", "--dwell-gsm", "1.0", "-j", jobs, timeout=120)
    finally:
        _stop(proc)
    assert r.returncode == 0, r.stderr
    assert ("on 2 worker(s)" in r.stderr) is (jobs == "2"), r.stderr
    live = [json.loads(line) for line in r.stdout.splitlines()]
    replay = [json.loads(line) for line in cli_subprocess("replay", "--json", rec).stdout.splitlines()]

    def cells(recs):
        return sorted((c["channel"], c["identity"]["bsic"], c["identity"]["mcc"], c["identity"]["mnc"],
                       c["identity"]["lac"], c["identity"]["cell_id"], c["verdict"]) for c in recs)

    assert cells(live) == cells(replay) == [(62, 21, "460", "00", 9522, 4321, "foreign"),
                                            (64, 9, "467", "192", 301, 7, "domestic"),
                                            (66, 38, "460", "01", 41001, 27013, "foreign")]
    assert all(x["kind"] == "cell" for x in live)


def test_table_names_the_block_holder_when_no_network_was_decoded():
    from detector.scanner._table import format_row

    row = format_row({"kind": "cell", "tech": "lte", "band": "B8", "channel": 3750, "freq_hz": 955e6,
                      "identity": {"pci": 123}, "verdict": "foreign"})
    assert "China Unicom?" in row and row.split()[:5] == ["cell", "lte", "B8", "3750", "955.000"]
    assert "China Mobile?" in format_row({"kind": "handset", "tech": "lte", "freq_hz": 1890.3e6})
    assert "?" not in format_row({"kind": "cell", "tech": "gsm", "freq_hz": 100e6})  # no block there


def test_each_step_runs_the_receivers_its_band_calls_for():
    from detector import pipeline
    from detector.scanner import plan_sweep, targets_from
    from detector.scanner._runner import for_step

    analyzers = [cls() for cls in pipeline.load_analyzers().values()]
    names = lambda step: sorted(a.name for a in for_step(analyzers, step))  # noqa: E731
    gsm, b39, ul = (plan_sweep(targets_from([], [b]), 2.4e6)[0] for b in ("GSM900", "B39", "GSM900:ul"))
    assert names(gsm) == ["gsm", "spectrum"]  # no LTE cell search on every GSM900 step
    assert names(b39) == ["lte", "spectrum", "uplink"]  # TD-LTE: cells, then handsets in their uplink subframes
    assert names(ul) == ["spectrum", "uplink"]
    (rng,) = plan_sweep(targets_from([(954.04e6, 955.96e6)], []), 2.4e6)  # a range: what the band plan holds
    assert {"gsm", "lte"} <= set(names(rng))


def test_crystal_error_is_learnt_from_decoded_cells_only_and_lapses():
    from detector.scanner._runner import CrystalEstimate

    now = [0.0]
    est = CrystalEstimate(max_age_s=60.0, clock=lambda: now[0])
    lte_no_mib = {"kind": "cell", "tech": "lte", "freq_hz": 806e6, "identity": {"pci": 7}, "lte": {"ppm": 40.0}}
    emission = {"kind": "emission", "shape": "lte", "freq_hz": 806e6}
    assert not est.update([lte_no_mib, emission]) and est.current() is None  # no CRC-checked identity
    lte = {"kind": "cell", "tech": "lte", "freq_hz": 806e6, "identity": {"pci": 7, "n_rb_dl": 50},
           "lte": {"ppm": -31.2}}
    assert est.update([lte]) and est.current() == -31.2 and est.source == "LTE PCI 7 at 806.0 MHz"
    now[0] = 30.0
    gsm = {"kind": "cell", "tech": "gsm", "freq_hz": 947.4e6, "identity": {"bsic": 21}, "gsm": {"ppm": -30.4}}
    assert not est.update([gsm]) and est.current() == -30.4  # the latest wins (a warming crystal drifts)
    now[0] = 90.3
    assert est.current() is None  # a minute without a decoded cell: back to the full range


def test_scan_steps_after_a_decoded_cell_search_around_its_crystal_error():
    """The runner hands each step's receivers the crystal error learnt from the cells decoded so far."""
    from detector.scanner import ScanRunner, Step
    seen = []

    class Receiver:
        name = "lte"
        step_local = True

        def assume_crystal(self, ppm):
            seen.append(ppm)

        def process(self, block):
            return []

        def end_step(self):
            if len(seen) == 1:  # the first step decodes a cell measuring the crystal at -31.2 ppm
                return [{"kind": "cell", "tech": "lte", "freq_hz": 806e6, "channel": 6300,
                         "identity": {"pci": 7, "n_rb_dl": 50}, "lte": {"ppm": -31.2}}]
            return []

        def finish(self):
            return []

    steps = [Step(i, 800e6 + i * 1.4e6, 0.01, "B20", ("lte",)) for i in range(3)]
    logs = []
    runner = ScanRunner(_silent_source, steps, lambda: [Receiver()], lambda rec: None, log=logs.append)
    runner.run()
    assert seen == [None, -31.2, -31.2]
    assert any("crystal error -31.20 ppm (from LTE PCI 7 at 806.0 MHz)" in m for m in logs), logs


def _silent_source():
    """A source of zeros at real-time pace."""
    from detector.sources._base import TunableSource

    class Silent(TunableSource):
        name = "silent"
        settle_samples = 0

        def _set_center_freq(self, f):
            pass

        def set_sample_rate(self, fs):
            self.sample_rate_hz = fs

        def set_gain(self, g):
            pass

        def _read(self, count):
            time.sleep(count / self.sample_rate_hz)
            return np.zeros(count, np.complex64), 0

    src = Silent()
    src.set_sample_rate(2.4e6)
    return src


class SlowReceiver:
    """0.3 s of work per step (in a worker process: importable by name)."""
    name = "lte"
    step_local = True

    def process(self, block):
        return []

    def end_step(self):
        time.sleep(0.3)
        return []

    def finish(self):
        return []


def slow_receivers():
    return [SlowReceiver()]


def test_scan_says_when_the_workers_not_the_dwell_set_the_pace():
    from detector.scanner import ScanRunner, Step

    steps = [Step(i, 800e6 + i * 1.4e6, 0.01, "B20", ("lte",)) for i in range(8)]
    logs = []
    runner = ScanRunner(_silent_source, steps, lambda: [], lambda rec: None, log=logs.append, jobs=1,
                        step_analyzers=slow_receivers, pace_hint="; HINT")
    stats = runner.run()
    assert stats.steps == 8 and stats.dropped == 0
    assert stats.waited_s > 1.0  # 8 x 0.3 s of work on one worker, 8 x 10 ms of capture
    notes = [m for m in logs if "set the pace" in m]
    assert len(notes) == 1 and notes[0].startswith("sweep 1: the receivers, not the dwell, set the pace") \
        and notes[0].endswith("for 1 worker(s); HINT"), logs
    runner.crystal.update([{"kind": "cell", "tech": "gsm", "freq_hz": 947.4e6, "identity": {"bsic": 21},
                            "gsm": {"ppm": -30.4}}])
    runner._pace_noted = False
    n_logs = len(logs)
    runner._note_pace(1, 10.0, 2.5)  # a quarter or less: nothing to say
    assert len(logs) == n_logs
    runner._note_pace(1, 10.0, 3.0)  # a crystal error is known: no hint about finding one
    assert logs[-1] == "sweep 2: the receivers, not the dwell, set the pace: the capture waited 3.0 s of 10.0 s " \
        "for 1 worker(s)"
    runner._note_pace(2, 10.0, 9.0)  # once per scan
    assert len(logs) == n_logs + 1


def test_pace_hint_points_at_the_crystal_range_only_where_it_applies():
    from types import SimpleNamespace

    from detector.cli import _pace_hint

    b20, gsm = (plan_sweep(targets_from([], [b]), 2.4e6) for b in ("B20", "GSM900"))
    assert "--ppm-max 5" in _pace_hint(SimpleNamespace(ppm_max=None), b20)
    assert _pace_hint(SimpleNamespace(ppm_max=5.0), b20) == ""  # the range is already the user's
    assert _pace_hint(SimpleNamespace(ppm_max=None), gsm) == ""  # no LTE search in a GSM900 sweep
