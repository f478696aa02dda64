"""The live path end to end on loopback: `detector serve` -> rtl_tcp -> `detector record` -> SigMF -> replay.

Both ends run as real subprocesses of the ``detector`` command, as a user would run them.
"""

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

from detector.sources import open_recording

SWEEP = os.path.join(RECORDINGS, "survey_egsm_sweep.sigmf-meta")




@pytest.fixture
def served():
    """Start `detector serve --loop` on the bundled sweep: an endless stream paced at 2.4 MS/s, like a dongle
    (with --fast an endless stream outruns any client, whose bounded queue then drops, and says so).
    Yields the port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", SWEEP, "-P", str(port), "--loop"],
                            stderr=subprocess.PIPE, text=True, env=subprocess_env())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("detector serve did not start listening")
    time.sleep(0.5)
    yield port, proc
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_serve_record_replay_round_trip(served, tmp_path, cli_subprocess):
    port, _ = served
    with open_recording(SWEEP) as src:
        segs = src.segments[:2]
        originals = [open(src.path, "rb").read()[s.byte_offset: s.byte_offset + 2 * s.num_samples] for s in segs]
        freqs = [s.center_freq_hz for s in segs]
    out = tmp_path / "rec"
    r = cli_subprocess("record", "--rtl-tcp", f"127.0.0.1:{port}", "-f", repr(freqs[0]), "-f", repr(freqs[1]),
                       "-s", "2.4M", "-n", "20000", "--settle", "4096", "-w", out)
    assert r.returncode == 0, r.stderr
    assert "40000 samples in 2 segment(s); dropped 0" in r.stderr
    import sigmf

    rec = sigmf.sigmffile.fromfile(str(out))  # validates the schema and the SHA-512
    assert [c["core:frequency"] for c in rec.get_captures()] == freqs
    assert rec.get_global_field("core:hw").startswith(f"rtl_tcp:127.0.0.1:{port}, tuner R820T")
    data = (tmp_path / "rec.sigmf-data").read_bytes()
    for k in range(2):
        got = data[k * 40000: (k + 1) * 40000]
        looped = originals[k] * 3  # the server loops each segment; the settle discard lands anywhere in it
        at = looped.find(got[:64])
        assert at >= 0 and at % 2 == 0, f"segment {k}: recorded bytes are not from the served segment"
        assert looped[at: at + len(got)] == got  # the same samples, byte for byte
    r = cli_subprocess("info", "--json", out.with_suffix(".sigmf-meta"))
    d = json.loads(r.stdout)
    assert [s["center_freq_hz"] for s in d["segments"]] == freqs  # a sweep recording replays as a sweep


def test_record_refuses_to_overwrite_before_connecting(tmp_path, cli_subprocess):
    (tmp_path / "x.sigmf-meta").write_text("{}")
    r = cli_subprocess("record", "--rtl-tcp", "127.0.0.1:9", "-f", "947M", "-w", tmp_path / "x")
    assert r.returncode == 1
    assert "x.sigmf-meta: already exists; refusing to overwrite (use -W to overwrite)" in r.stderr


def test_rtl_tcp_nobody_listening_exits_3(tmp_path, cli_subprocess):
    port = free_port()
    r = cli_subprocess("record", "--rtl-tcp", f"127.0.0.1:{port}", "-f", "947M", "-w", tmp_path / "x")
    assert r.returncode == 3, r.stderr
    assert f"rtl_tcp 127.0.0.1:{port}: cannot connect" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.sigmf-data").exists()


def test_rtl_tcp_server_that_never_answers(tmp_path, cli_subprocess):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        r = cli_subprocess("record", "--rtl-tcp", f"127.0.0.1:{s.getsockname()[1]}", "-f", "947M", "-w",
                           tmp_path / "x", timeout=60)
    assert r.returncode == 1, r.stderr
    assert "expected the 12-byte rtl_tcp header starting b'RTL0', got 0 bytes b'' in 5 s" in r.stderr
    assert "Traceback" not in r.stderr


def test_rtl_tcp_bad_header_exits_1(tmp_path, cli_subprocess):
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def answer():
        conn, _ = srv.accept()
        conn.sendall(b"HTTP/1.1 400\r\n")
        time.sleep(1)
        conn.close()

    t = threading.Thread(target=answer, daemon=True)
    t.start()
    r = cli_subprocess("record", "--rtl-tcp", f"127.0.0.1:{srv.getsockname()[1]}", "-f", "947M", "-w",
                       tmp_path / "x")
    srv.close()
    assert r.returncode == 1, r.stderr
    assert "RTL0" in r.stderr and "Traceback" not in r.stderr


def test_server_dropping_mid_record_keeps_what_was_recorded(tmp_path, cli_subprocess):
    """The served recording ends (no loop) during a long record: exit 3, the samples so far are a valid SigMF."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", SWEEP, "-P", str(port), "--fast"],
                            stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        time.sleep(1.5)
        r = cli_subprocess("record", "--rtl-tcp", f"127.0.0.1:{port}", "-f", "925.921052631579M", "-n",
                           "200000", "--settle", "0", "-w", tmp_path / "x")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert r.returncode == 3, r.stderr
    assert "connection closed by peer" in r.stderr or "after" in r.stderr
    with open_recording(str(tmp_path / "x.sigmf-meta")) as src:
        assert 0 < src.num_samples < 200000
    assert np.isfinite(src.sample_rate_hz)


def test_live_survey_over_rtl_tcp_matches_the_recording(served, cli_subprocess):
    """`detector survey -f 925M:960M --rtl-tcp` plans the recording's own 19 steps, so the live sweep over the
    virtual dongle must find the same emissions as surveying the file."""
    port, _ = served
    r = cli_subprocess("survey", "-f", "925M:960M", "--rtl-tcp", f"127.0.0.1:{port}", "--dwell", "0.02",
                       "--json", timeout=120)
    assert r.returncode == 0, r.stderr
    live = [json.loads(line) for line in r.stdout.splitlines()]
    r = cli_subprocess("survey", SWEEP, "--json")
    replay = [json.loads(line) for line in r.stdout.splitlines()]
    strong = [e for e in replay if e.get("snr_db", 99) > 6]
    assert len(strong) == 8
    for e in strong:
        match = [x for x in live if abs(x["freq_hz"] - e["freq_hz"]) < 20e3 and x["shape"] == e["shape"]]
        assert match, (e, live)
        assert match[0]["power_dbfs"] == pytest.approx(e["power_dbfs"], abs=1.0)
    assert live[0]["source"].startswith(f"rtl_tcp:127.0.0.1:{port}")


@pytest.mark.parametrize("flags,message", [
    (["-s", "500k", "-f", "947M"], "500000"),
    (["-s", "2.4M", "-f", "2.5G"], "R820T"),
])
def test_record_refuses_what_a_dongle_cannot_do(served, tmp_path, cli_subprocess, flags, message):
    port, _ = served
    r = cli_subprocess("record", "--rtl-tcp", f"127.0.0.1:{port}", *flags, "-n", "1000", "-w", tmp_path / "x")
    assert r.returncode == 1, r.stderr
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("detector: error:")]
    assert len(line) == 1 and message in line[0] and "Traceback" not in r.stderr
    assert not (tmp_path / "x.sigmf-data").exists()
