"""The border scenes end to end (`recordings/border_make_recordings.py`): replay reports exactly the handsets
of the handset scene with their operators' blocks and verdicts, and `detector scan` over rtl_tcp reports
the cells and verdicts that `detector replay` reports for the 900 MHz border sweep."""

import json
import os
import subprocess
import sys
import time

from conftest import free_port, subprocess_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORDINGS = os.path.join(ROOT, "recordings")


def _records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_replay_reports_exactly_the_two_handsets_with_blocks_and_verdicts(cli):
    path = os.path.join(RECORDINGS, "handsets_border.sigmf-meta")
    with open(path.replace(".sigmf-meta", ".truth.json")) as fh:
        truth = json.load(fh)
    code, out, err = cli("replay", "--json", path)
    assert code == 0, err
    recs = _records(out)
    hs = sorted((r for r in recs if r["kind"] == "handset"), key=lambda r: r["freq_hz"])
    assert [(h["tech"], h["band"], h["verdict"]) for h in hs] == [("gsm", "GSM900", "foreign"),
                                                                  ("lte", "B39", "foreign")]
    gsm, lte = hs
    assert gsm["channel"] == 1015 and gsm["freq_hz"] == truth["handsets"][0]["freq_hz"]
    assert gsm["reasons"][0]["rule"] == "handset_uplink" and "China Mobile" in gsm["reasons"][0]["detail"]
    assert abs(gsm["duty_cycle"] - 148 / (1625e3 / 6) / (120e-3 / 26)) < 0.02  # one timeslot: 1/8 x 546/577
    assert lte["duplex"] == "tdd" and lte["cell"] == {"pci": 301, "freq_hz": 1890e6, "tdd_config": 1}
    assert abs(lte["freq_hz"] - truth["handsets"][1]["freq_hz"]) < 180e3 and lte["duty_cycle"] == 0.5
    assert [b["operator"] for b in lte["operator_blocks"]] == ["China Mobile"]
    assert lte["reasons"][0]["rule"] == "handset_uplink"
    # the TD-LTE cell itself is found (its timing is what placed the handset), the downlink step gives none
    cells = [r for r in recs if r["kind"] == "cell"]
    assert [(c["tech"], c["identity"]["pci"], c["identity"]["duplex"], c["lte"]["tdd_config"]) for c in cells] == [
        ("lte", 301, "tdd", 1)]
    assert not [r for r in recs if r["kind"] == "handset" and abs(r["freq_hz"] - 947.4e6) < 2e6]


def _cells(recs):
    out = []
    for r in recs:
        if r["kind"] != "cell":
            continue
        i = r["identity"]
        key = (i["bsic"], i.get("mcc"), i.get("mnc"), i.get("lac"), i.get("cell_id")) if r["tech"] == "gsm" else \
            (i["pci"], i["duplex"], i.get("n_rb_dl"), i.get("n_ports"))
        out.append((r["tech"], r["channel"], key, r["verdict"]))
    return sorted(out)


def test_scan_over_rtl_tcp_reports_what_replay_reports(cli_subprocess):
    """Issue 7's end-to-end test: the two-step border sweep (GSM900 and LTE band 8) served as a dongle."""
    path = os.path.join(RECORDINGS, "border_sweep_900M.sigmf-meta")
    with open(path.replace(".sigmf-meta", ".truth.json")) as fh:
        truth = json.load(fh)
    port = free_port()
    srv = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", path, "-P", str(port), "--loop"],
                           stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        time.sleep(1.5)
        # two steps, 948.0 and 955.0 MHz: 0.39 s after the 2^18-sample settling discard is the rest of the GSM
        # step (0.5 s, SI3 at 0.2 s); 0.1 s of the LTE step (0.12 s, looped by the server)
        live = cli_subprocess("scan", "-f", "947.04M:948.96M", "-f", "954.04M:955.96M", "--rtl-tcp",
                              f"127.0.0.1:{port}", "--once", "--json", "--dwell-gsm", "0.39", "--dwell-lte", "0.1",
                              timeout=300)
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    assert live.returncode == 0, live.stderr
    assert "scan: 1 sweep(s), 2 step(s)" in live.stderr and "dropped 0" in live.stderr
    replay = cli_subprocess("replay", "--json", path, timeout=300)
    assert replay.returncode == 0, replay.stderr
    got_live, got_replay = _cells(_records(live.stdout)), _cells(_records(replay.stdout))
    assert got_live == got_replay
    want = sorted((e["tech"], e["channel"], e["verdict"]) for e in truth["expected"])
    assert [(t, ch, v) for t, ch, _, v in got_live] == want
    gsm_truth = {c["arfcn"]: c for c in truth["steps"][0]["gsm"]["cells"]}
    for tech, ch, key, _ in got_live:
        if tech == "gsm":
            c = gsm_truth[ch]
            assert key == (c["bsic"], c["mcc"], c["mnc"], c["lac"], c["cell_id"])
        else:
            assert key == (123, "fdd", 25, 2)


def test_synth_writes_the_border_scenes_byte_for_byte(tmp_path, cli):
    for scene, name in (("border-sweep", "border_sweep_900M"), ("handsets-border", "handsets_border")):
        code, _, err = cli("synth", scene, "-o", tmp_path / f"{name}.sigmf-meta")
        assert code == 0, err
        with open(os.path.join(RECORDINGS, f"{name}.sigmf-data"), "rb") as fh:
            assert (tmp_path / f"{name}.sigmf-data").read_bytes() == fh.read()


def test_synth_lte_tdd_reproduces_the_reference_recording(tmp_path, cli):
    code, _, err = cli("synth", "lte-tdd", "-o", tmp_path / "t.sigmf-meta")
    assert code == 0, err
    with open(os.path.join(RECORDINGS, "lte_tdd_1890M.sigmf-data"), "rb") as fh:
        assert (tmp_path / "t.sigmf-data").read_bytes() == fh.read()
    code, _, err = cli("synth", "lte-tdd", "--ppm", "-30", "--duration", "0.04", "-o", tmp_path / "u.sigmf-meta")
    truth = json.loads((tmp_path / "u.truth.json").read_text())
    assert code == 0 and truth["ppm"] == -30 and (tmp_path / "u.sigmf-data").stat().st_size == 2 * int(0.04 * 1.92e6)
