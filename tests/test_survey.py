"""Survey: shape classification of synthetic GSM/LTE/UMTS-shaped emissions, sweeps, rtl_power CSV round trip."""

import os

import numpy as np
import pytest
from conftest import RECORDINGS

from detector.dsp import equivalent_averages, find_emissions, occupancy, welch_psd
from detector.sources import open_recording
from detector.survey import SurveyConfig, classify_shape, plan_hops, shape_features, survey
from detector.synth import add_awgn
from detector.synth._shapes import gmsk_like, ofdm_like, place, wcdma_like


def _classify_all(x, fs, nfft=4096, pfa=1e-6):
    f, p = welch_psd(x, fs, nfft=nfft, scaling="bin")
    k = equivalent_averages(nfft, 2 * x.size // nfft - 1)
    occ, fl = occupancy(p, k, pfa=pfa)
    out = []
    for e in find_emissions(f, p, occ, fl, bridge_bins=4):
        out.append((round(e.center_hz / 1e5) / 10, classify_shape(shape_features(f, p, fl, e.freq_lo_hz,
                                                                                 e.freq_hi_hz))))
    return out


def test_wideband_scene_classified_by_shape():
    """30.72 MS/s: an LTE 5 MHz, a UMTS carrier, an LTE 1.4 MHz, two GSM carriers and a CW tone, 25+ dB SNR."""
    fs, n = 30.72e6, 1 << 19
    rng = np.random.default_rng(21)
    x = (place(ofdm_like(n, fs, 25, rng), -9e6, fs, -20)
         + place(wcdma_like(n, fs, rng), -1e6, fs, -20)
         + place(ofdm_like(n, fs, 6, rng), 4.5e6, fs, -25)
         + place(gmsk_like(n, fs, rng), 8.0e6, fs, -30)
         + place(gmsk_like(n, fs, rng), 10.6e6, fs, -30)
         + place(np.ones(n, np.complex64), 13e6, fs, -40))
    x = add_awgn(x, -45 + 10 * np.log10(fs / 200e3), rng)  # noise at -45 dBFS per 200 kHz
    got = _classify_all(x, fs)
    assert got == [(-9.0, ("lte", 5e6)), (-1.0, ("umts", 5e6)), (4.5, ("lte", 1.4e6)),
                   (8.0, ("gsm", 200e3)), (10.6, ("gsm", 200e3)), (13.0, ("narrowband", None))]


def test_noise_only_has_no_emissions():
    fs, n = 2.4e6, 1 << 19
    x = add_awgn(np.zeros(n, np.complex64), -30, np.random.default_rng(3))
    assert _classify_all(x, fs, nfft=512, pfa=1e-6) == []


def test_plan_hops_covers_the_band():
    hops = plan_hops(925e6, 960e6, 2.4e6, 0.2)
    assert len(hops) == 19  # 35 MHz / 1.92 MHz usable per hop, rounded up
    usable = 2.4e6 * 0.8 / 2
    assert hops[0] - usable <= 925e6 and hops[-1] + usable >= 960e6
    assert np.all(np.diff(hops) <= 2 * usable + 1e-3)


def test_survey_of_bundled_sweep_matches_ground_truth():
    import json

    base = os.path.join(RECORDINGS, "tones_gsm900_sweep")
    truth = json.load(open(base + ".truth.json"))
    with open_recording(base + ".sigmf-meta") as src:
        res = survey(src.blocks(), SurveyConfig(bin_hz=5e3, crop=0.2))
    want = {}
    for step in truth["steps"]:
        for t in step["tones"]:
            if abs(t["offset_hz"]) < 2.4e6 * 0.4:  # inside the kept 80 %
                want[t["freq_hz"]] = t["power_dbfs"]
    got = {round(e.center_hz, -3): e for e in res.emissions}
    assert sorted(got) == sorted(want)
    for f, p in want.items():
        assert got[f].power_dbfs == pytest.approx(p, abs=0.2)
        assert got[f].shape == "narrowband"


def test_gsm_cluster_is_split_into_carriers():
    fs, n = 2.4e6, 1 << 18
    rng = np.random.default_rng(9)
    x = sum(place(gmsk_like(n, fs, rng), off, fs, -30) for off in (-400e3, -200e3, 0.0, 400e3))
    x = add_awgn(x, -50 + 10 * np.log10(fs / 200e3), rng)
    import datetime as dt

    from detector.sources import IQBlock

    blk = IQBlock(x.astype(np.complex64), 947e6, fs, 0, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    res = survey([blk], SurveyConfig(bin_hz=5e3, crop=0.1))
    gsm = sorted(round((e.center_hz - 947e6) / 1e3) for e in res.emissions if e.shape == "gsm")
    assert len(gsm) == 4
    assert np.allclose(gsm, [-400, -200, 0, 400], atol=25)


SURVEY = os.path.join(RECORDINGS, "survey_egsm_sweep")


def test_survey_command_finds_every_ground_truth_emitter(cli, tmp_path):
    import json

    truth = json.load(open(SURVEY + ".truth.json"))
    rc, out, err = cli("survey", SURVEY + ".sigmf-meta", "--json", "--csv", tmp_path / "s.csv",
                       "--plots", tmp_path / "plots", "-i", "0.005")
    assert rc == 0, err
    recs = [json.loads(line) for line in out.splitlines()]
    assert all(r["kind"] == "emission" for r in recs)
    want_shape = {"gsm": "gsm", "lte": "lte", "umts": "umts", "cw": "narrowband"}
    for e in truth["emitters"]:
        near = [r for r in recs if abs(r["freq_hz"] - e["freq_hz"]) < 30e3]
        assert len(near) == 1, (e, recs)
        assert near[0]["shape"] == want_shape[e["shape"]]
        assert near[0]["power_dbfs"] == pytest.approx(e["power_dbfs"], abs=0.5)
    strong = [r for r in recs if r.get("snr_db", 99) > 3]  # no SNR: a carrier filling a whole step
    assert len(strong) == len(truth["emitters"])  # nothing else of substance
    for name in ("spectrum.png", "waterfall.png"):
        data = (tmp_path / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000


def test_rtl_power_csv_round_trip(tmp_path):
    import datetime as dt

    from detector.report import read_rtl_power_csv, write_rtl_power_csv
    from detector.report._csv import rtl_power_rows

    with open_recording(SURVEY + ".sigmf-meta") as src:
        res = survey(src.blocks(), SurveyConfig(bin_hz=5e3, crop=0.2, interval_s=0.01))
    tz = dt.timezone(dt.timedelta(hours=9))  # the CSV carries local time; pin a zone for the test
    with open(tmp_path / "s.csv", "w") as fh:
        n = write_rtl_power_csv(fh, res.hops, tz)
    assert n == 19 * 3  # 25 ms per step in 10 ms intervals: 10, 10, 5 ms
    back = read_rtl_power_csv(str(tmp_path / "s.csv"))
    want = rtl_power_rows(res.hops, tz)
    assert len(back) == len(want)
    for b, w in zip(back, want, strict=True):
        assert (b.hz_low, b.hz_high, b.samples) == (w.hz_low, w.hz_high, w.samples)
        assert b.time == w.time.replace(tzinfo=None, microsecond=0)
        assert b.hz_step == pytest.approx(w.hz_step, abs=0.005)
        assert np.max(np.abs(b.db - w.db)) <= 0.005 + 1e-9
    first = open(tmp_path / "s.csv").readline()
    assert first.startswith("2026-01-01, 09:00:00, 924960116, 926881990, 4687.50, 24000, ")
    assert len(back[0].db) == 512 - 2 * int(512 * 0.1)  # rtl_power's i1..i2 bins after a 0.2 crop
    assert back[0].hz_high - back[0].hz_low == 2 * int(2.4e6 * back[0].db.size / (2 * 512))


REAL_SURVEY = [
    # file, open kwargs, expected shapes of the emissions found
    ("lte/f1890_s1.92_g0_0.16s.bin", {}, ["lte"]),
    ("lte/signal.1.92M.dat", {"datatype": "cf32", "sample_rate_hz": 1.92e6}, ["lte"]),
    ("lte/f2646_s1.92_noise_hackrf.bin", {"datatype": "cs8"}, []),
    ("gsm/GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile", {"sample_rate_hz": 500e3}, ["gsm"]),
    ("gsm/GSMSP_940.8Mhz_118.cfile", {"sample_rate_hz": 542373, "center_freq_hz": 940.8e6}, ["gsm"]),
    ("lte/f1860_s1.92_g0_1s_rtlsdr.bin", {}, ["lte"]),  # 20 MHz carrier at about -9 dB SNR behind a DC skirt
]


@pytest.mark.parametrize("name,kw,shapes", REAL_SURVEY)
def test_real_captures_classified_by_shape(real_captures, name, kw, shapes):
    """LTE files as LTE, GSM files as GSM, the noise file as empty (strong emissions, SNR > 6 dB or filling)."""
    with open_recording(os.path.join(real_captures, name), **kw) as src:
        res = survey(src.blocks(), SurveyConfig(crop=0.1))
    got = sorted({e.shape for e in res.emissions if not (e.snr_db <= 6)})  # NaN SNR: a carrier filling the capture
    assert got == shapes, [(e.shape, e.center_hz, e.snr_db) for e in res.emissions]


def test_ofdm_filling_the_capture_is_lte_and_gsm_is_not():
    """Cyclic-prefix correlation: an LTE 20 MHz carrier seen through 1.92 MHz is LTE; a GSM carrier with
    FCCH tones and a DC offset is not, though both correlate at 66.7 us."""
    import datetime as dt

    from detector.sources import IQBlock

    rng = np.random.default_rng(4)
    fs, n = 1.92e6, 1 << 17
    wide = ofdm_like(int(n * 16), 30.72e6, 100, rng)
    from detector.dsp import decimate

    seen = decimate(wide, 16)[:n]
    seen = add_awgn(seen / np.sqrt(np.mean(np.abs(seen) ** 2)), -10, rng) + 0.05  # 10 dB SNR, DC offset
    gsm = add_awgn(place(gmsk_like(n, fs, rng), 0.0, fs, 0.0) + 0.3 * np.exp(2j * np.pi * 67.7e3 / fs *
                                                                               np.arange(n)), -15, rng) + 0.05
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    res_lte = survey([IQBlock(seen.astype(np.complex64), 1860e6, fs, 0, t0)], SurveyConfig(crop=0.1))
    res_gsm = survey([IQBlock(gsm.astype(np.complex64), 947.4e6, fs, 0, t0)], SurveyConfig(crop=0.1))
    assert [e.shape for e in res_lte.emissions] == ["lte"]
    assert "lte" not in {e.shape for e in res_gsm.emissions}


def test_rtl_iq_image_is_not_reported_but_a_lone_weak_tone_is():
    import datetime as dt

    from detector.sources import IQBlock
    from detector.synth import tone

    fs, n = 2.4e6, 1 << 17
    rng = np.random.default_rng(2)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    strong_and_image = add_awgn(tone(n, 300e3, fs, -10) + tone(n, -300e3, fs, -45), -50, rng)
    lone = add_awgn(tone(n, -300e3, fs, -45), -50, rng)
    res = survey([IQBlock(strong_and_image, 947e6, fs, 0, t0)], SurveyConfig(crop=0.1))
    assert [round(e.center_hz - 947e6, -3) for e in res.emissions] == [300e3]
    assert [round(e.center_hz - 947e6, -3) for e in res.images] == [-300e3]
    res = survey([IQBlock(lone, 947e6, fs, 0, t0)], SurveyConfig(crop=0.1))
    assert [round(e.center_hz - 947e6, -3) for e in res.emissions] == [-300e3]


def test_no_false_lte_on_noise_with_dc_offsets():
    """Noise-only steps (cu8-quantised, with an RTL-like DC offset) never trip the cyclic-prefix LTE rule."""
    import datetime as dt

    from detector.sources import IQBlock
    from detector.synth import quantise_cu8

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    rng = np.random.default_rng(77)
    blocks = [IQBlock(quantise_cu8(add_awgn(np.full(1 << 17, 0.02 + 0.01j, np.complex64), -25, rng)),
                      1850e6 + 2e6 * k, 1.92e6, k << 17, t0, segment=k) for k in range(20)]
    res = survey(blocks, SurveyConfig(crop=0.1))
    assert [e.shape for e in res.emissions] == []
    assert max(h.ofdm_score for h in res.hops) < 0.01


def test_band_names_resolve_to_downlink_ranges(cli):
    from detector.cli import _band_range

    assert _band_range("B39") == (1880e6, 1920e6)
    assert _band_range("DCS1800") == (1805e6, 1880e6)
    rc, _, err = cli("survey", "--band", "B99", "--rtl-tcp", "127.0.0.1:1")
    assert rc == 2 and "--band B99: unknown band 'B99'; known bands:" in err


def test_emission_classes_choose_the_analyzers():
    from detector.survey import analyzers_for

    with open_recording(SURVEY + ".sigmf-meta") as src:
        res = survey(src.blocks())
    plan = analyzers_for(res.emissions)
    assert sorted({a for a, _, _ in plan}) == ["gsm", "lte"]
    assert sorted(round(f / 1e5) / 10 for a, f, _ in plan if a == "gsm") == [935.2, 935.6, 947.4, 948.2, 957.8]
    assert [round(f / 1e6, 1) for a, f, _ in plan if a == "lte"] == [940.0]


def test_step_emissions_report_narrow_carriers_before_the_sweep_ends():
    from detector.survey import SurveyAccumulator

    acc = SurveyAccumulator(SurveyConfig())
    with open_recording(SURVEY + ".sigmf-meta") as src:
        for b in src.blocks(segments=[5]):  # the step at 935.13 MHz
            acc.update(b)
    got = [(e.shape, round(e.center_hz / 1e5) / 10) for e in acc.step_emissions()]
    assert got == [("gsm", 935.2), ("gsm", 935.6)]
