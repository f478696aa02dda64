"""GSM on the command line: `replay` (records, grgsm_scanner lines, --gsmtap), `calibrate` (recordings, real
captures, live over rtl_tcp, no GSM), `synth gsm-border`."""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_replay_lists_every_gsm_carrier_with_its_identity(cli):
    code, out, err = cli("replay", "--json", os.path.join(ROOT, "recordings", "gsm_border_948M.sigmf-meta"))
    assert code == 0, err
    cells = [json.loads(line) for line in out.splitlines() if json.loads(line).get("tech") == "gsm"]
    got = {(c["channel"], c["identity"]["mcc"], c["identity"]["mnc"], c["identity"]["cell_id"]) for c in cells}
    assert got == {(62, "460", "00", 4321), (66, "460", "01", 27013), (64, "467", "192", 7)}
    assert all(c["kind"] == "cell" and c["band"] == "GSM900" and abs(c["gsm"]["ppm"] - 40) < 0.1 for c in cells)


def test_replay_prints_grgsm_scanner_lines_with_verdicts(cli):
    rec = os.path.join(ROOT, "recordings", "gsm_border_948M")
    with open(rec + ".truth.json") as fh:
        power = {c["arfcn"]: c["power_dbfs"] for c in json.load(fh)["cells"]}
    code, out, err = cli("replay", rec + ".sigmf-meta")
    assert code == 0, err
    lines = [ln for ln in out.splitlines() if ln.startswith("ARFCN:")]
    assert [ln.split(", Pwr:")[0] + ln.split(", Pwr:")[1][4:] for ln in lines] == [
        "ARFCN:   62, Freq:  947.4M, CID:  4321, LAC:  9522, MCC: 460, MNC:   0  [foreign]",
        "ARFCN:   64, Freq:  947.8M, CID:     7, LAC:   301, MCC: 467, MNC: 192  [domestic]",
        "ARFCN:   66, Freq:  948.2M, CID: 27013, LAC: 41001, MCC: 460, MNC:   1  [foreign]",
    ]
    for ln, arfcn in zip(lines, (62, 64, 66), strict=True):
        assert abs(int(ln.split("Pwr:")[1].split()[0]) - power[arfcn]) <= 1.5  # measured power, dBFS


def test_calibrate_on_the_bundled_recording(cli):
    """The recording was made with a receiver 40 ppm fast (truth file): every carrier says so."""
    rec = os.path.join(ROOT, "recordings", "gsm_border_948M")
    with open(rec + ".truth.json") as fh:
        truth = json.load(fh)
    code, out, err = cli("calibrate", "--json", rec + ".sigmf-meta")
    assert code == 0, err
    d = json.loads(out)
    assert d["method"] == "gsm-fcch" and abs(d["ppm"] - truth["ppm"]) < 0.05 and d["ppm_std"] < 0.1
    assert sorted(c["channel"] for c in d["carriers"]) == sorted(c["arfcn"] for c in truth["cells"])
    assert d["count"] >= 3 * 20  # 1.22 s hold 26 FCCH bursts per carrier
    code, out, err = cli("calibrate", rec + ".sigmf-meta")
    assert code == 0 and f"correct with -p {round(truth['ppm'])}" in out


def test_calibrate_real_capture(cli, real_captures):
    """kal on this capture: the cell is +8.7 kHz off at 953.6 MHz, i.e. the receiver is 9.1 ppm slow."""
    path = os.path.join(real_captures, "gsm", "GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile")
    code, out, err = cli("calibrate", "--json", "-s", "500k", "-f", "953.6M", "--format", "cf32", path)
    assert code == 0, err
    d = json.loads(out)
    assert abs(d["ppm"] - (-8.7e3 / 953.6e6 * 1e6)) < 0.1 and d["carriers"][0]["bsic"] == 56


def test_calibrate_without_gsm_says_so(cli):
    """A sweep of CW tones in GSM900 (and band 8) holds no FCCH burst (a tone is not an FCCH) and no LTE cell:
    exit 1 and a hint."""
    code, out, err = cli("calibrate", os.path.join(ROOT, "recordings", "tones_gsm900_sweep.sigmf-meta"))
    assert code == 1
    assert "0 FCCH burst(s)" in out and "no GSM FCCH burst or LTE cell in 0.20 s" in err
    code, _, err = cli("calibrate")
    assert code == 2 and "give a recording, or -f FREQ" in err


def test_calibrate_live_over_rtl_tcp(cli_subprocess):
    """A live dwell: `detector serve` makes the recording a dongle; calibrate tunes to it and measures."""
    import subprocess
    import sys
    import time

    from conftest import free_port, subprocess_env

    port = free_port()
    rec = os.path.join(ROOT, "recordings", "gsm_border_948M.sigmf-meta")
    proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", rec, "-P", str(port), "--loop"],
                            stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        time.sleep(1.5)
        r = cli_subprocess("calibrate", "--rtl-tcp", f"127.0.0.1:{port}", "-f", "948M", "-s", "2.048M",
                           "--duration", "1.0", "--json", timeout=60)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["source"] == "live 948.000 MHz" and abs(d["ppm"] - 40.0) < 0.1 and len(d["carriers"]) == 3


def test_replay_gsmtap_flag_sends_the_decoded_blocks(cli):
    import socket
    import struct

    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(1.0)
    port = rx.getsockname()[1]
    code, out, err = cli("replay", "--json", "--gsmtap", f"127.0.0.1:{port}",
                         os.path.join(ROOT, "recordings", "gsm_border_948M.sigmf-meta"))
    pkts = []
    while True:
        try:
            pkts.append(rx.recv(100))
        except OSError:
            break
    rx.close()
    assert code == 0, err
    cells = [json.loads(line) for line in out.splitlines() if json.loads(line).get("tech") == "gsm"]
    decoded = sum(c["gsm"]["counts"]["bcch"]["decoded"] + c["gsm"]["counts"]["ccch"]["decoded"] for c in cells)
    assert len(pkts) == decoded
    assert {struct.unpack(">H", p[4:6])[0] for p in pkts} == {62, 64, 66}


def test_synth_gsm_border_reproduces_the_bundled_recording(tmp_path, cli):
    code, _, err = cli("synth", "gsm-border", "-o", tmp_path / "g.sigmf-meta")
    assert code == 0, err
    with open(os.path.join(ROOT, "recordings", "gsm_border_948M.sigmf-data"), "rb") as fh:
        assert (tmp_path / "g.sigmf-data").read_bytes() == fh.read()
    truth = json.loads((tmp_path / "g.truth.json").read_text())
    assert truth["ppm"] == 40.0


def test_replay_at_2_4_msps_and_minus_40_ppm_lists_every_carrier(tmp_path, cli):
    """The issue's case: a 2.4 MS/s multi-carrier capture from a receiver 40 ppm slow (0.55 s: SI3 at TC 2)."""
    code, _, err = cli("synth", "gsm-border", "-s", "2.4M", "--ppm", "-40", "--duration", "0.55",
                       "-o", tmp_path / "m.sigmf-meta")
    truth = json.loads((tmp_path / "m.truth.json").read_text())
    assert code == 0 and truth["ppm"] == -40.0 and truth["sample_rate_hz"] == 2.4e6
    assert (tmp_path / "m.sigmf-data").stat().st_size == 2 * int(0.55 * 2.4e6)
    code, out, err = cli("replay", "--json", tmp_path / "m.sigmf-meta")
    assert code == 0, err
    cells = {r["channel"]: r for r in map(json.loads, out.splitlines()) if r.get("tech") == "gsm"}
    assert sorted(cells) == sorted(c["arfcn"] for c in truth["cells"])
    for c in truth["cells"]:
        ident = cells[c["arfcn"]]["identity"]
        assert (ident["bsic"], ident["mcc"], ident["mnc"], ident["lac"], ident["cell_id"]) == (
            c["bsic"], c["mcc"], c["mnc"], c["lac"], c["cell_id"])
        assert abs(cells[c["arfcn"]]["gsm"]["ppm"] + 40.0) < 0.1


def test_calibrate_from_lte_cells(cli):
    """The TD-LTE reference recording was made 60 ppm fast (truth file): both cells say so, from their PSS."""
    rec = os.path.join(ROOT, "recordings", "lte_tdd_1890M")
    with open(rec + ".truth.json") as fh:
        truth = json.load(fh)
    code, out, err = cli("calibrate", "--json", rec + ".sigmf-meta")
    assert code == 0, err
    (d,) = [json.loads(line) for line in out.splitlines()]
    assert d["method"] == "lte-pss" and abs(d["ppm"] - truth["ppm"]) < 0.2
    assert sorted(c["pci"] for c in d["carriers"]) == sorted(c["pci"] for c in truth["cells"])
