"""The GSM receiver end to end: the bundled recording against its truth, real over-the-air captures, crystal
errors of +-50 ppm without a prior, noise-only and CW-only input (no false cells), windowing and bad input."""

import json
import os

import numpy as np
import pytest

from detector import pipeline
from detector.gsm import GsmAnalyzer, ReceiverConfig, calibrate, calibrate_blocks, receive
from detector.gsm._constants import FRAME_PERIOD_S
from detector.gsm._fcch import fcch_search
from detector.sources import IQBlock, open_recording
from detector.synth._gsm import GsmCell, gsm_scene

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REC = os.path.join(ROOT, "recordings", "gsm_border_948M")


def _cell(**kw):
    base = dict(arfcn=62, mcc="460", mnc="00", lac=9522, cell_id=4321, bsic=21, neighbours=[60, 64], snr_db=15.0,
                fn_start=51 * 8 * 321 + 51 * 2 - 1, timing_offset_s=0.0013)
    base.update(kw)
    return GsmCell(**base)


def test_bundled_recording_matches_truth():
    with open(REC + ".truth.json") as fh:
        truth = json.load(fh)
    src = open_recording(REC + ".sigmf-meta")
    with src:
        result = pipeline.run(src, src.blocks(), [GsmAnalyzer()])
    assert result.error is None
    recs = {r["channel"]: r for r in result.records}
    assert sorted(recs) == sorted(c["arfcn"] for c in truth["cells"])
    for c in truth["cells"]:
        r = recs[c["arfcn"]]
        ident = r["identity"]
        assert (r["kind"], r["tech"], r["band"], r["freq_hz"]) == ("cell", "gsm", "GSM900", c["freq_hz"])
        assert (ident["bsic"], ident["ncc"], ident["bcc"]) == (c["bsic"], c["ncc"], c["bcc"])
        assert (ident["mcc"], ident["mnc"], ident["lac"], ident["cell_id"]) == (c["mcc"], c["mnc"], c["lac"],
                                                                               c["cell_id"])
        assert ident["neighbours"] == sorted(set(c["neighbours"]) | set(c["ext_neighbours"])
                                             | set(c["ter_neighbours"]))
        assert r["freq_offset_hz"] == pytest.approx(c["freq_offset_hz"], abs=60)
        assert r["gsm"]["ppm"] == pytest.approx(truth["ppm"], abs=0.1)
        assert r["snr_db"] == pytest.approx(c["snr_db"], abs=1.5)
        assert r["power_dbfs"] == pytest.approx(c["power_dbfs"], abs=1.5)
        counts = r["gsm"]["counts"]
        assert counts["bcch"]["failed"] == 0 and counts["sch"]["failed"] == 0
        for si in ("SI1", "SI2", "SI3", "SI4"):
            assert counts["messages"][si] >= 1
        assert r["gsm"]["mnc_digits"] == len(c["mnc"])
        if c["lte_neighbours"]:  # SI2quater: LTE and UMTS neighbours
            assert r["gsm"]["neighbours_lte_earfcn"] == sorted(c["lte_neighbours"])
            assert r["gsm"]["neighbours_3g_uarfcn"] == sorted(c["utran_neighbours"])


def test_real_capture_953_6mhz(real_captures):
    """A 2007 USRP capture of a live cell (ground truth in ../shared/real-captures/README.md)."""
    path = os.path.join(real_captures, "gsm", "GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile")
    src = open_recording(path, datatype="cf32", sample_rate_hz=500e3, center_freq_hz=953.6e6)
    with src:
        result = pipeline.run(src, src.blocks(), [GsmAnalyzer()])
    (r,) = result.records
    ident = r["identity"]
    assert (r["band"], r["channel"], ident["bsic"], ident["ncc"], ident["bcc"]) == ("GSM900", 93, 56, 7, 0)
    assert (ident["mcc"], ident["mnc"], ident["lac"], ident["cell_id"]) == ("272", "02", 15016, 15149)
    assert r["freq_offset_hz"] == pytest.approx(8.7e3, abs=100)
    assert r["gsm"]["counts"]["sch"]["decoded"] >= 3  # FN 857107, 857117, 857127 (+ 857096 from the timing model)
    x = np.fromfile(path, np.complex64)
    res = receive(x, 500e3)
    assert {857107, 857117, 857127} <= {fn for fn, _ in res[0].sch}
    cal = calibrate(x, 500e3, 953.6e6)
    assert cal.ppm == pytest.approx(-8.7e3 / 953.6e6 * 1e6, abs=0.1) and cal.carriers[0]["bsic"] == 56


def test_real_capture_940_8mhz_fcch(real_captures):
    path = os.path.join(real_captures, "gsm", "GSMSP_940.8Mhz_118.cfile")
    fs = 64e6 / 118
    x = np.fromfile(path, np.complex64)
    hits = [h for h in fcch_search(x, fs) if abs(h.carrier_hz - 0.9e3) < 3e3]
    assert hits and abs(hits[0].sample / fs - 1.25e-3) < 0.6e-3  # one FCCH about 1.25 ms in
    (r,) = receive(x, fs)
    # The README says "about +0.9 kHz"; a plain FFT of the burst puts the tone at 69.915 kHz, i.e. the carrier
    # at +2.21 kHz (at 64 MHz / 118), and the SCH and an SI3 (MCC 234, MNC 10) pass their CRC / Fire code at
    # that frequency, which a 1.3 kHz error (4.5 rad over a burst) would not allow.
    assert r.carrier_hz == pytest.approx(2.21e3, abs=100)
    assert r.bsic == 48 and r.sch
    si3 = [b.message for b in r.blocks if b.message["type"] == "SI3"]
    assert si3 and (si3[0]["mcc"], si3[0]["mnc"], si3[0]["lac"], si3[0]["cell_id"]) == ("234", "10", 20002, 12231)


@pytest.mark.parametrize("arfcn, band, ppm", [(700, "DCS1800", -50.0), (975, "GSM900", 50.0), (10, "GSM900", -50.0)])
def test_crystal_error_50ppm_without_prior(arfcn, band, ppm):
    """+-50 ppm is +-90 kHz at 1.8 GHz: the carrier still lands on its ARFCN and the SI3 decodes."""
    cell = _cell(arfcn=arfcn, bsic=45, mcc="460", mnc="01", lac=77, cell_id=65535)
    from detector.gsm._arfcn import arfcn_to_freq

    fc = arfcn_to_freq(arfcn) + 150e3
    x, truth = gsm_scene([cell], fc, 1.0e6, 0.26, ppm=ppm, noise_dbfs=-25, seed=7)
    a = GsmAnalyzer()
    t0 = __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").timezone.utc)
    recs = a.process(IQBlock(x, fc, 1.0e6, 0, t0)) + a.finish()
    (r,) = recs
    assert (r["band"], r["channel"], r["identity"]["bsic"]) == (band, arfcn, 45)
    assert (r["identity"]["mcc"], r["identity"]["mnc"], r["identity"]["cell_id"]) == ("460", "01", 65535)
    assert r["gsm"]["ppm"] == pytest.approx(ppm, abs=0.2)


def test_noise_only_gives_no_cell_and_few_fcch_hits():
    rng = np.random.default_rng(11)
    fs = 2.4e6
    x = ((rng.standard_normal(int(fs)) + 1j * rng.standard_normal(int(fs))) * 0.05).astype(np.complex64)
    assert receive(x, fs) == []
    assert len(fcch_search(x, fs)) <= 3  # ~0.02 expected per second at the default threshold


def test_cw_spur_is_not_a_cell():
    fs = 1.0e6
    n = np.arange(int(0.3 * fs))
    rng = np.random.default_rng(3)
    x = (0.5 * np.exp(2j * np.pi * 123e3 * n / fs) + 0.01 * (rng.standard_normal(n.size)
                                                             + 1j * rng.standard_normal(n.size))).astype(np.complex64)
    assert receive(x, fs) == []
    assert calibrate(x, fs, 947e6).ppm is None


def test_weak_carrier_next_to_strong_adjacent_channel():
    """A 10 dB carrier with a 30 dB carrier 200 kHz away (adjacent ARFCN): both decode."""
    strong = _cell(arfcn=63, bsic=12, snr_db=30.0, fn_start=51 * 8 * 77 + 51 * 2 - 3, timing_offset_s=0.0031)
    weak = _cell(arfcn=62, bsic=21, snr_db=10.0)
    x, _ = gsm_scene([weak, strong], 947.5e6, 1.0e6, 0.26, ppm=5.0, noise_dbfs=-30, seed=5)
    res = {r.bsic: r for r in receive(x, 1.0e6)}
    assert set(res) == {12, 21}
    assert any(b.message["type"] == "SI3" and b.message["cell_id"] == 4321 for b in res[21].blocks)


def test_analyzer_windows_merge_and_bounded_buffer():
    """Short windows: several receiver runs per segment, one record, blocks counted once."""
    x, _ = gsm_scene([_cell()], 947.4e6, 1.0e6, 0.5, ppm=0.0, noise_dbfs=-30, seed=2)
    import datetime as dt

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    a = GsmAnalyzer(window_s=0.15, overlap_s=0.03)
    recs = []
    for s in range(0, x.size, 40000):
        recs += a.process(IQBlock(x[s: s + 40000], 947.4e6, 1.0e6, s, t0 + dt.timedelta(seconds=s / 1e6)))
        assert sum(b.size for b in a._buf) <= 0.15 * 1e6 + 40000
    recs += a.finish()
    assert a.windows >= 3
    (r,) = recs
    assert r["identity"]["cell_id"] == 4321
    fns = r["gsm"]["counts"]["sch"]["decoded"]
    assert fns <= 0.5 / FRAME_PERIOD_S / 10 + 2  # each SCH frame counted once despite the overlaps


def test_tuning_without_gsm_and_bad_input():
    import datetime as dt

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    a = GsmAnalyzer()
    assert a.process(IQBlock(np.zeros(1000, np.complex64), 2.6e9, 1e6, 0, t0)) == [] and not a._active
    assert a.finish() == []
    b = GsmAnalyzer()
    x = np.full(50000, np.nan + 1j * np.nan, np.complex64)
    assert b.process(IQBlock(x, 947e6, 1e6, 0, t0)) == []
    assert b.process(IQBlock(np.zeros(0, np.complex64), 947e6, 1e6, 0, t0)) == []
    assert b.finish() == []
    assert receive(np.zeros(0, np.complex64), 1e6) == []
    assert receive(np.zeros(100, np.complex64), 1e6) == []


def test_calibrate_blocks_on_recording():
    src = open_recording(REC + ".sigmf-meta")
    with src:
        cal = calibrate_blocks(src.blocks(), max_seconds=0.6)
    assert cal.ppm == pytest.approx(40.0, abs=0.1) and cal.ppm_std < 0.1
    assert {c["channel"] for c in cal.carriers} == {62, 64, 66} and all(c["confirmed"] for c in cal.carriers)
    assert cal.sample_clock_ppm == pytest.approx(40.0, abs=1.0)  # from the TDMA frame period
    assert cal.as_dict()["count"] == cal.count


def test_receiver_config_ccch_counts():
    x, _ = gsm_scene([_cell()], 947.4e6, 1.0e6, 0.26, ppm=0.0, noise_dbfs=-30, seed=2)
    (r,) = receive(x, 1.0e6, ReceiverConfig(decode_ccch=True))
    types = [b.message["type"] for b in r.blocks if b.channel == "ccch"]
    assert types.count("PAGING1") >= 8 and r.failed == {"bcch": 0, "ccch": 0}  # 9 CCCH blocks per multiframe


def test_gsmtap_output_to_a_local_listener():
    import datetime as dt
    import socket
    import struct

    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2.0)
    port = rx.getsockname()[1]
    x, _ = gsm_scene([_cell()], 947.4e6, 1.0e6, 0.26, ppm=0.0, noise_dbfs=-30, seed=2)
    a = GsmAnalyzer(gsmtap=f"127.0.0.1:{port}")
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    (rec,) = a.process(IQBlock(x, 947.4e6, 1.0e6, 0, t0)) + a.finish()
    pkts = []
    while True:
        try:
            pkts.append(rx.recv(100))
        except OSError:
            break
    rx.close()
    assert len(pkts) == rec["gsm"]["counts"]["bcch"]["decoded"] + rec["gsm"]["counts"]["ccch"]["decoded"]
    ver, hlen, typ, ts, arfcn, _sig, _snr, fn, sub = struct.unpack(">BBBBHbbIB", pkts[0][:13])
    assert (ver, hlen, typ, ts, arfcn, sub, len(pkts[0])) == (2, 4, 1, 0, 62, 1, 16 + 23)
    assert fn % 51 == 2 and (fn // 51) % 8 == 2 and pkts[0][16:19] == bytes.fromhex("49061b")  # SI3 at TC 2
    GsmAnalyzer(gsmtap="127.0.0.1:9").finish()  # nobody listening: no error


def test_lost_bcch_gives_no_invented_identity():
    """SCH decodes but every BCCH burst is wiped out: the record has the BSIC, no MCC/MNC/LAC/CI, and says
    which TC slots failed (never placeholder zeros)."""
    import datetime as dt

    fs = 1.0e6
    cell = _cell()
    x, _ = gsm_scene([cell], 947.4e6, fs, 0.5, ppm=0.0, noise_dbfs=-30, seed=4)
    rng = np.random.default_rng(1)
    for k in range(0, 120):
        if (cell.fn_start + k) % 51 in (2, 3, 4, 5):
            s0 = int((k * FRAME_PERIOD_S - cell.timing_offset_s) * fs) - 20
            if 0 <= s0 < x.size:
                n = min(640, x.size - s0)
                x[s0: s0 + n] = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64) * 0.2
    a = GsmAnalyzer()
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    (r,) = a.process(IQBlock(x, 947.4e6, fs, 0, t0)) + a.finish()
    assert r["identity"] == {"bsic": 21, "ncc": 2, "bcc": 5}
    bcch = r["gsm"]["counts"]["bcch"]
    assert bcch["decoded"] == 0 and bcch["failed"] >= 2 and sum(bcch["failed_by_tc"].values()) == bcch["failed"]
    assert "mnc_digits" not in r["gsm"]


@pytest.mark.parametrize("fs", [0.6e6, 2.048e6, 3.2e6])
def test_any_capture_rate(fs):
    """Rates from 0.5 to 3.2 MS/s: the channel sampler follows the base station's clock at any rate."""
    cell = _cell(bsic=60, cell_id=999)
    x, _ = gsm_scene([cell], 947.45e6, fs, 0.06, ppm=12.0, noise_dbfs=-30, seed=8)
    (r,) = receive(x, fs)
    assert r.bsic == 60 and any(b.message.get("cell_id") == 999 for b in r.blocks)
    assert r.frame_period_samples == pytest.approx(FRAME_PERIOD_S * fs * (1 + 12e-6), rel=6e-6)  # 2 SCH, 46 ms apart


def test_real_lte_and_noise_captures_give_no_gsm_cell(real_captures):
    """LTE carriers (pilot tones, a DC spike) and a noise-only capture: FCCH-like hits, but no GSM cell."""
    lte = os.path.join(real_captures, "lte", "f1860_s1.92_g0_1s_rtlsdr.bin")
    b = np.fromfile(lte, np.uint8).astype(np.float32)
    x = ((b[0::2] - 127.5) / 127.5 + 1j * (b[1::2] - 127.5) / 127.5).astype(np.complex64)
    assert receive(x, 1.92e6) == [] and calibrate(x, 1.92e6, 1860e6).ppm is None
    n = np.fromfile(os.path.join(real_captures, "lte", "f2646_s1.92_noise_hackrf.bin"), np.int8).astype(np.float32)
    assert receive((n[0::2] / 128 + 1j * n[1::2] / 128).astype(np.complex64), 1.92e6) == []
