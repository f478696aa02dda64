"""Handset activity: GSM TDMA bursts and LTE SC-FDMA subframes found in uplink bands, nothing from base
stations, noise or impulses; records carry the operator block."""

import json
import os

import numpy as np
import pytest
from conftest import RECORDINGS
from scipy import stats

from detector.synth import add_awgn
from detector.synth._shapes import gmsk_like, ofdm_like, place
from detector.synth._uplink import gsm_handset
from detector.uplink import BurstDetector, detect_handsets, uplink_bands, window_threshold

FS = 2.4e6
NOISE = -45 + 10 * np.log10(FS / 200e3)  # -45 dBFS in every 200 kHz
SCENE = os.path.join(RECORDINGS, "uplink_handsets")


def test_replay_reports_exactly_the_two_handsets(cli):
    truth = json.load(open(SCENE + ".truth.json"))
    rc, out, err = cli("replay", "--json", SCENE + ".sigmf-meta")
    assert rc == 0, err
    hs = [json.loads(line) for line in out.splitlines() if json.loads(line)["kind"] == "handset"]
    assert sorted(h["tech"] for h in hs) == ["gsm", "lte"]
    gsm = next(h for h in hs if h["tech"] == "gsm")
    lte = next(h for h in hs if h["tech"] == "lte")
    tg, tl = truth["handsets"]
    assert (gsm["band"], gsm["channel"], gsm["freq_hz"]) == ("GSM900", tg["arfcn"], tg["freq_hz"])
    assert gsm["bursts"] == pytest.approx(0.25 / (120e-3 / 26), abs=2) and gsm["burst_types"]["access"] <= 1
    assert gsm["tdma_timing"] >= 0.9 and gsm["power_dbfs"] == pytest.approx(tg["burst_power_dbfs"], abs=1.5)
    assert ("China Mobile", "E-GSM900") in [(b["operator"], b["band"]) for b in gsm["operator_blocks"]]
    assert {b["country"] for b in gsm["operator_blocks"]} == {"CN"}
    assert gsm["verdict"] == tg["verdict"] and gsm["reasons"][0]["rule"] == "handset_uplink"
    assert "China Mobile (CN, E-GSM900)" in gsm["reasons"][0]["detail"]
    assert lte["band"] == "B8" and abs(lte["freq_hz"] - tl["freq_hz"]) < 150e3
    assert lte["bursts"] == pytest.approx(50, abs=3) and lte["subframe_timing"] >= 0.9
    assert lte["duty_cycle"] == pytest.approx(tl["duty_cycle"], abs=0.05)
    assert lte["power_dbfs"] == pytest.approx(tl["burst_power_dbfs"], abs=1.5)
    assert any(b["operator"] == "China Mobile" and b["band"] == "B8" for b in lte["operator_blocks"])
    assert lte["verdict"] == tl["verdict"] and lte["reasons"][0]["rule"] == "handset_uplink"


def test_access_bursts_are_told_from_normal_bursts():
    rng = np.random.default_rng(5)
    n = int(0.2 * FS)
    x = add_awgn(gsm_handset(n, FS, 200e3, -30, rng, access=True, every_n_frames=2), NOISE, rng)
    (h,) = detect_handsets(x, FS, 902e6)
    assert h.tech == "gsm" and h.burst_types()["access"] >= 0.9 * h.bursts


@pytest.mark.parametrize("what", ["noise", "gsm-downlink", "lte-downlink", "impulses", "bts-timeslots-too"])
def test_not_fooled(what):
    """Continuous carriers, an OFDM downlink, noise and impulses give no handset (bursty BTS timeslots look like
    handsets by shape: the analyzer never searches downlink bands, see test_downlink_bands_are_never_searched)."""
    rng = np.random.default_rng(11)
    n = int(0.5 * FS)
    x = add_awgn(np.zeros(n, np.complex64), NOISE, rng)
    if what == "gsm-downlink":
        x += place(gmsk_like(n, FS, rng), 200e3, FS, -25) + place(gmsk_like(n, FS, rng), -400e3, FS, -30)
    elif what == "lte-downlink":
        x += place(ofdm_like(n, FS, 6, rng), 0.0, FS, -25)
    elif what == "impulses":
        for t in np.arange(0.01, 0.5, 0.0173):
            s = int(t * FS)
            x[s: s + 48] += (0.2 * rng.standard_normal(48)).astype(np.complex64)
    elif what == "bts-timeslots-too":
        x += place(gmsk_like(n, FS, rng), 0.0, FS, -25)  # a C0 next to nothing bursty
    assert detect_handsets(x, FS, 902e6) == []


def test_downlink_bands_are_never_searched():
    assert uplink_bands(947.4e6) == [] and uplink_bands(1860e6) == []
    assert uplink_bands(1890e6) == []  # PCS1900 uplink overlaps band 39 (TDD): not searched yet
    assert "GSM900" in uplink_bands(902e6) and "DCS1800" in uplink_bands(1750e6)


def test_window_false_alarm_rate_is_at_most_the_stated_probability():
    rng = np.random.default_rng(21)
    hot = total = 0
    for _ in range(6):
        x = add_awgn(np.zeros(1 << 20, np.complex64), NOISE, rng)
        det2 = BurstDetector(FS, 902e6, pfa=1e-3)
        det2.update(x)
        total += det2.windows * det2.channels_hz.size
        hot += sum(max(1, round(b.duration_s / det2.window_s)) for b in det2.finish())
    assert BurstDetector(FS, 902e6, pfa=1e-3).threshold == pytest.approx(window_threshold(1e-3))
    # bursts need two hot windows in a row: at pfa 1e-3 that is ~1e-6 per window position
    assert hot <= stats.binom.ppf(1 - 1e-4, total, 1e-5)


def test_real_lte_downlink_capture_gives_no_handset(real_captures):
    from detector.sources import open_recording

    with open_recording(os.path.join(real_captures, "lte/f1860_s1.92_g0_1s_rtlsdr.bin")) as src:
        x = np.concatenate([b.samples for b in src.blocks()])
    assert detect_handsets(x, 1.92e6, 1750e6) == []  # analysed as if it were an uplink capture
