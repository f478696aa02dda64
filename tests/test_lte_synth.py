"""The LTE generator (detector.synth._lte) against the spec layout, and the receiver on synthetic scenes."""

import json
import os

import numpy as np
import pytest

from detector.lte import LteAnalyzer, SearchConfig, calibrate, carrier_raster, lte_reach_hz, search, tdd_config
from detector.lte._crs import crs_positions
from detector.lte._pbch import pbch_re_map
from detector.lte._sequences import crs_sequence, pss, sss
from detector.synth._lte import (
    LteCellSpec,
    _frame_grid,
    lte_scene,
    pbch_frame_bits,
    two_cell_tdd_scene,
    write_reference_recordings,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REC = os.path.join(ROOT, "recordings")


def _cells(out):
    return [r for r in map(json.loads, out.splitlines()) if r.get("tech") == "lte" and r.get("kind") == "cell"]


@pytest.mark.parametrize("name", ["lte_tdd_1890M", "lte_fdd_1860M_2.4M"])
def test_bundled_recording_replays_to_its_truth(cli, name):
    code, out, err = cli("replay", "--json", os.path.join(REC, name + ".sigmf-meta"))
    assert code == 0, err
    truth = json.load(open(os.path.join(REC, name + ".truth.json")))
    got = {c["identity"]["pci"]: c for c in _cells(out)}
    assert set(got) == {t["pci"] for t in truth["cells"]}
    for t in truth["cells"]:
        c = got[t["pci"]]
        ident = c["identity"]
        assert (ident["duplex"], ident["cp"], ident["n_rb_dl"], ident["n_ports"]) == \
            (t["duplex"], t["cp"], t["n_rb_dl"], t["n_ports"])
        assert ident["phich"] == {"duration": t["phich_duration"], "resource": t["phich_resource"]}
        assert ident["sfn"] == t["sfn0"]  # the first complete frame of the capture
        assert c["channel"] == t["earfcn"] and c["freq_hz"] == t["freq_hz"]
        assert abs(c["freq_offset_hz"] - t["freq_offset_hz"]) < 150
        assert abs(c["lte"]["ppm"] - truth["ppm"]) < 0.1
        if t["duplex"] == "tdd":
            assert c["lte"]["tdd_config"] == t["tdd_config"]


def test_recordings_regenerate_byte_exact(tmp_path):
    write_reference_recordings(str(tmp_path))
    for name in ("lte_tdd_1890M", "lte_fdd_1860M_2.4M"):
        with open(tmp_path / (name + ".sigmf-data"), "rb") as a, open(os.path.join(REC, name + ".sigmf-data"),
                                                                        "rb") as b:
            assert a.read() == b.read()


def test_generator_grid_follows_36211():
    rng = np.random.default_rng(0)
    for duplex, cp in (("fdd", "normal"), ("tdd", "extended")):
        spec = LteCellSpec(pci=253, earfcn=38350, duplex=duplex, cp=cp, n_ports=4, n_rb_dl=6, tdd_config=2)
        g, dl = _frame_grid(spec, sfn=603, rng=rng)
        nsym = 7 if cp == "normal" else 6
        k62 = 5 + np.arange(62)
        if duplex == "fdd":  # SSS / PSS in the last two symbols of slots 0 and 10
            rows = ((nsym - 2, nsym - 1, 0), (10 * nsym + nsym - 2, 10 * nsym + nsym - 1, 5))
        else:  # SSS last symbol of slots 1/11, PSS third symbol of subframes 1/6
            rows = ((2 * nsym - 1, 2 * nsym + 2, 0), (11 * nsym + nsym - 1, 12 * nsym + 2, 5))
        for rs, rp, sf in rows:
            np.testing.assert_allclose(g[0, rp, k62], pss(1))
            np.testing.assert_allclose(g[0, rs, k62], sss(84, 1, sf))
        for port in range(4):  # CRS of slot 1 (36.211 §6.10.1.2)
            l = 0 if port < 2 else 1
            k = crs_positions(253, port, 1, l, cp)
            np.testing.assert_allclose(g[port, nsym + l, k], crs_sequence(253, 1, l, cp))
        l, k = pbch_re_map(253, cp)
        assert np.all(np.abs(g[:, nsym + l, k]).sum(axis=0) > 0)
        if duplex == "tdd":
            assert not dl[2 * nsym * 2: 2 * nsym * 3].any()  # subframe 2 is uplink in configuration 2
    assert pbch_frame_bits(LteCellSpec(pci=1, earfcn=1750, cp="extended"), 5).size == 432


@pytest.mark.parametrize("duplex,cp,ports", [("fdd", "normal", 1), ("tdd", "normal", 4), ("fdd", "extended", 2),
                                             ("tdd", "extended", 2)])
def test_every_frame_structure_is_identified(duplex, cp, ports):
    spec = LteCellSpec(pci=431, earfcn=1750, duplex=duplex, cp=cp, n_ports=ports, n_rb_dl=15, snr_db=3.0, sfn0=1000,
                       frame_start_s=0.0067, tdd_config=1, special_config=5 if cp == "normal" else 4)
    x, truth = lte_scene([spec], 1860e6, 1.92e6, 0.08, ppm=-70.0, seed=5)
    (c,) = search(x, 1.92e6, 1860e6)
    assert (c.pci, c.duplex, c.cp) == (431, duplex, cp)
    assert (c.mib.n_ports, c.mib.n_rb_dl, c.mib.sfn) == (ports, 15, 1000)
    assert abs(c.offset_hz - truth["cells"][0]["baseband_offset_hz"]) < 100
    assert abs(c.timing.frame_start % 19200 - 0.0067 * 1.92e6 * (1 - 70e-6)) < 2


@pytest.mark.parametrize("config", range(7))
def test_tdd_configuration_from_subframe_energy(config):
    spec = LteCellSpec(pci=12, earfcn=38350, duplex="tdd", n_rb_dl=25, snr_db=10.0, tdd_config=config,
                       frame_start_s=0.002, load=0.3)
    x, _ = lte_scene([spec], 1890e6, 1.92e6, 0.05, seed=config)
    r = tdd_config(x, 0.002 * 1.92e6)
    assert r.config == config and r.pattern[2] == "U"
    assert len(r.subframe_power_db) == 10 and r.uplink_subframes == [i for i, k in enumerate(r.pattern) if k == "U"]


def test_two_cell_tdd_scene_at_60_ppm_resolves_both_mibs():
    cells, kw = two_cell_tdd_scene()
    x, truth = lte_scene(cells, **kw)
    found = {c.pci: c for c in search(x, kw["sample_rate_hz"], kw["center_freq_hz"])}
    assert set(found) == {253, 97}
    for t in truth["cells"]:
        m = found[t["pci"]].mib
        assert (m.n_ports, m.n_rb_dl, m.sfn, m.phich["resource"]) == (t["n_ports"], 100, 603, t["phich_resource"])
    assert found[253].power_dbfs - found[97].power_dbfs == pytest.approx(10, abs=2.5)
    cal = calibrate(x, 1.92e6, 1890e6)
    assert cal.ppm == pytest.approx(60, abs=0.1) and {c["pci"] for c in cal.carriers} == {253, 97}


def test_noise_gives_no_cell():
    rng = np.random.default_rng(3)
    for seed in range(4):
        x, _ = lte_scene([], 1890e6, 1.92e6, 0.08, noise_dbfs=-20.0, seed=seed + int(rng.integers(100)))
        assert search(x, 1.92e6, 1890e6) == []


def test_off_centre_carrier_in_a_2048k_capture():
    spec = LteCellSpec(pci=88, earfcn=1750, n_ports=2, n_rb_dl=25, snr_db=0.0, sfn0=3, frame_start_s=0.003)
    x, truth = lte_scene([spec], 1860.3e6, 2.048e6, 0.06, ppm=30.0, seed=2)
    (c,) = search(x, 2.048e6, 1860.3e6)
    assert c.pci == 88 and c.mib.sfn == 3
    assert abs(c.offset_hz - truth["cells"][0]["baseband_offset_hz"]) < 200


@pytest.mark.slow
@pytest.mark.parametrize("fs", [15.36e6, 19.2e6])
def test_carrier_anywhere_in_a_wide_capture(fs):
    spec = LteCellSpec(pci=301, earfcn=1750, n_ports=2, n_rb_dl=100, snr_db=0.0, sfn0=100, frame_start_s=0.0042)
    fc = 1857e6 if fs == 15.36e6 else 1863.3e6
    x, truth = lte_scene([spec], fc, fs, 0.08, ppm=20.0, seed=1)
    (c,) = search(x, fs, fc)
    assert c.pci == 301 and c.mib.n_rb_dl == 100
    assert abs(c.offset_hz - truth["cells"][0]["baseband_offset_hz"]) < 200


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="1-D"):
        search(np.zeros((2, 20000), np.complex64), 1.92e6)
    with pytest.raises(TypeError, match="complex"):
        search(np.zeros(20000), 1.92e6)
    with pytest.raises(ValueError, match="below 1.92 MS/s"):
        search(np.zeros(20000, np.complex64), 1.0e6)
    with pytest.raises(ValueError, match="too short"):
        search(np.zeros(5000, np.complex64), 1.92e6)
    x = np.full(20000, np.nan, np.complex64)
    assert search(x, 1.92e6, 1890e6) == []  # NaNs are zeroed, not propagated


def test_analyzer_skips_rates_below_192k_and_bands_without_lte():
    from detector.lte import lte_bands_in_capture

    assert not lte_bands_in_capture(947e6, 1.0e6)
    assert not lte_bands_in_capture(433.92e6, 2.4e6)
    assert lte_bands_in_capture(1890e6, 1.92e6) and lte_bands_in_capture(float("nan"), 1.92e6)
    assert LteAnalyzer().finish() == []


def test_a_tunings_short_remainder_joins_its_last_window():
    # 1.11 s at 1.92 MS/s with 1 s windows: one search of 1.11 s (not 1 s and then 0.11 s); 2.3 s: 1 s + 1.3 s
    import datetime as dt

    from detector.sources import IQBlock

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    rng = np.random.default_rng(3)
    for seconds, windows in ((1.11, 1), (2.3, 2)):
        a = LteAnalyzer(window_s=1.0)
        n = int(seconds * 1.92e6)
        x = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) / 50).astype(np.complex64)
        for i in range(0, n, 1 << 16):
            a.process(IQBlock(x[i:i + (1 << 16)], 1890e6, 1.92e6, i, t0))
        assert a.end_step() == [] and a.windows == windows, seconds


def test_replay_is_block_size_agnostic(cli):
    path = os.path.join(REC, "lte_tdd_1890M.sigmf-meta")
    runs = []
    for block in ("4096", "262144"):
        code, out, err = cli("replay", "--json", "--block", block, path)
        assert code == 0, err
        runs.append(sorted((c["identity"]["pci"], c["identity"].get("sfn"), c["channel"]) for c in _cells(out)))
    assert runs[0] == runs[1] == [(97, 603, 38350), (253, 603, 38350)]


def test_calibrate_blocks_on_the_bundled_recording():
    from detector.lte import calibrate_blocks
    from detector.sources import open_recording

    with open_recording(os.path.join(REC, "lte_tdd_1890M.sigmf-meta")) as src:
        cal = calibrate_blocks(src.blocks())
    d = cal.as_dict()
    assert d["method"] == "lte-pss" and d["ppm"] == pytest.approx(60.0, abs=0.1)
    assert {c["pci"] for c in d["carriers"]} == {253, 97} and all(c["confirmed"] for c in d["carriers"])
    assert d["carriers"][0]["band"] == "B39" and d["carriers"][0]["channel"] == 38350


def test_synchronised_cell_15db_weaker_with_other_n_id_2():
    # same frame timing, other PSS root: its PSS sits in the stronger cell's (cancelled) PSS symbol
    strong = LteCellSpec(pci=100, earfcn=1750, n_rb_dl=25, snr_db=10.0, frame_start_s=0.001)
    weak = LteCellSpec(pci=5, earfcn=1750, n_rb_dl=25, snr_db=-5.0, frame_start_s=0.001, sfn0=7)
    x, _ = lte_scene([strong, weak], 1860e6, 1.92e6, 0.08, ppm=15.0, seed=0)
    assert {c.pci for c in search(x, 1.92e6, 1860e6)} == {100, 5}


def test_unsynchronised_cell_12db_weaker_under_a_fully_loaded_one():
    # 2.3 ms later: its PSS and SSS sit on the stronger cell's QPSK data REs (SINR about -12 dB per RE), which
    # only the SSS reference averaged over all 62 subcarriers (flat channel) resolves; PCI 428 shares no N_ID2
    strong = LteCellSpec(pci=100, earfcn=1750, n_ports=2, n_rb_dl=25, snr_db=10.0, sfn0=10, frame_start_s=0.001)
    weak = LteCellSpec(pci=428, earfcn=1750, n_ports=1, n_rb_dl=25, snr_db=-2.0, sfn0=500, frame_start_s=0.0033)
    x, _ = lte_scene([strong, weak], 1860e6, 1.92e6, 0.08, ppm=15.0, seed=0)
    cells = search(x, 1.92e6, 1860e6)
    assert [c.pci for c in cells] == [100, 428]
    assert cells[1].timing.frame_start / 1.92e6 * 1e3 == pytest.approx(3.3, abs=0.01)


def test_unsynchronised_cell_15db_weaker_found_over_320_ms():
    # further cells of a carrier are searched over `further_search_s` (5 offsets only): 15 dB under a fully
    # loaded cell is below the 80 ms sensitivity (about -15 dB SINR) but found in a 320 ms capture
    strong = LteCellSpec(pci=100, earfcn=1750, n_ports=2, n_rb_dl=25, snr_db=10.0, sfn0=10, frame_start_s=0.001)
    weak = LteCellSpec(pci=476, earfcn=1750, n_ports=1, n_rb_dl=25, snr_db=-5.0, sfn0=500, frame_start_s=0.0033)
    x, _ = lte_scene([strong, weak], 1860e6, 1.92e6, 0.32, ppm=15.0, seed=7)
    assert [c.pci for c in search(x, 1.92e6, 1860e6)] == [100, 476]
    assert [c.pci for c in search(x[:int(0.08 * 1.92e6)], 1.92e6, 1860e6)] == [100]


def test_raster_hypotheses_hold_the_exact_crystal_error():
    # a receiver tuned to 1860 MHz with its crystal +37 ppm fast sees a carrier on the raster point 200 kHz up
    # at 200 kHz - 1860 MHz x 37e-6 and its half-frames 9600 x (1 + 37e-6) samples long
    from detector.lte._pss import candidate_periods

    fc, ppm, d = 1860e6, 37.0, 200e3
    f = d - fc * ppm * 1e-6
    raster = np.arange(-5, 6) * 100e3
    (row,) = candidate_periods(np.array([f]), fc, raster_offsets_hz=raster, ppm_max=120.0)
    assert row.size == 4  # f = 131.2 kHz: raster points 0, 100, 200 and 300 kHz are within 120 ppm (223 kHz)
    assert np.min(np.abs(row - 9600 * (1 + ppm * 1e-6))) < 1e-6
    # nearest raster point first: 100 kHz, i.e. a crystal 16.8 ppm fast
    assert row[0] == pytest.approx(9600 * (1 - (f - 100e3) / fc), abs=1e-9)


def test_best_of_keeps_the_maximum_and_its_index():
    from detector.lte._pss import _best_of

    a = np.array([1.0, 5.0, 0.0, 2.5], np.float32)
    b = np.array([2.0, 4.0, 0.0, 7.25], np.float32)
    c = np.array([0.5, 6.0, 3.0, 1.0], np.float32)
    best, idx = _best_of([a.copy(), b.copy(), c.copy()])
    assert idx.tolist() == [1, 2, 2, 1]
    assert best == pytest.approx([2.0, 6.0, 3.0, 7.25], rel=1e-6)


def test_known_crystal_error_narrows_the_search_and_still_finds_the_cell():
    # with the crystal error known to +-5 ppm (a sweep learnt it from a decoded cell) the 2.4 MS/s search
    # tries only the offsets near raster points seen at that error; 20 ppm off it finds nothing, which shows
    # the hypotheses really were narrowed; 31 ppm off (+-5 ppm around 0) the strong PSS is still found on the
    # Zadoff-Chu ridge but its SSS names a wrong cell without a MIB, which sends the search to the full range
    from detector.lte._pss import candidate_periods

    fc, ppm = 806.1e6, -31.0
    spec = LteCellSpec(pci=377, earfcn=6300, n_rb_dl=6, snr_db=0.0, n_ports=2)  # 806.0 MHz
    x, _ = lte_scene([spec], fc, 2.4e6, 0.08, ppm=ppm, seed=9)
    for center, found in ((ppm + 2.0, [377]), (ppm + 20.0, []), (0.0, [377])):
        cells = search(x, 2.4e6, fc, SearchConfig(ppm_center=center, ppm_max=5.0))
        assert [c.pci for c in cells] == found, center
    cell = search(x, 2.4e6, fc, SearchConfig(ppm_center=ppm, ppm_max=5.0))[0]
    assert carrier_raster(fc, cell.offset_hz, 2.4e6, clock=cell.timing.clock)[0] == 806.0e6
    # one period per offset near 806.0 MHz: 5 ppm (4 kHz) cannot reach the next raster point
    (row,) = candidate_periods(np.array([-100e3 - ppm * 1e-6 * fc]), fc, raster_offsets_hz=np.array([-1e5, 0.0]),
                               ppm_max=5.0, ppm_center=ppm)
    assert row.tolist() == pytest.approx([9600 * (1 + ppm * 1e-6)], rel=1e-9)


@pytest.mark.parametrize("side", [-1, 1])
def test_a_carrier_at_the_edge_of_the_search_reach_is_found(side):
    # a sweep spaces its LTE steps by twice `lte_reach_hz` (710 kHz at 2.4 MS/s): a carrier that far from
    # the tuned frequency (with the crystal pulling it further out) must be found
    fc = 1860e6 - side * 700e3
    spec = LteCellSpec(pci=201, earfcn=1750, n_rb_dl=6, snr_db=0.0, n_ports=1)  # 1860.0 MHz
    x, _ = lte_scene([spec], fc, 2.4e6, 0.08, ppm=-side * 4.0, seed=4)
    cells = search(x, 2.4e6, fc)
    assert lte_reach_hz(2.4e6) == 710e3
    assert [c.pci for c in cells] == [201]
    assert cells[0].offset_hz == pytest.approx(side * (700e3 + 4e-6 * fc), abs=2e3)


@pytest.mark.parametrize("ppm,fc", [(-100.0, 806.3e6), (80.0, 805.9e6)])
def test_record_names_the_raster_point_the_sample_clock_implies(ppm, fc):
    # a crystal 80-100 ppm off moves an 806.0 MHz carrier 64-81 kHz: nearer 805.9/806.1 than 806.0 MHz; the
    # sample clock (same crystal) says by how much, so the record still names EARFCN 6300 and the crystal
    import datetime as dt

    from detector.sources import IQBlock

    spec = LteCellSpec(pci=377, earfcn=6300, n_rb_dl=6, snr_db=0.0, n_ports=2)
    x, _ = lte_scene([spec], fc, 2.4e6, 0.08, ppm=ppm, seed=9)
    a = LteAnalyzer()
    a.process(IQBlock(x, fc, 2.4e6, 0, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)))
    (rec,) = a.end_step()
    assert (rec["identity"]["pci"], rec["channel"], rec["freq_hz"]) == (377, 6300, 806.0e6)
    assert rec["lte"]["ppm"] == pytest.approx(ppm, abs=0.5)


def test_replica_spectra_are_computed_once_per_fft_length():
    """Every window of a scan reuses the PSS replica spectra (a lost cache costs each 80 ms step two extra
    FFT sets): a second search of the same length misses nothing."""
    from detector.lte import _pss

    rng = np.random.default_rng(3)
    x = ((rng.standard_normal((192000, 2)) * 0.1).view(np.complex128)[:, 0]).astype(np.complex64)
    search(x, 2.4e6, 806e6)
    misses = _pss._replica_spectra.cache_info().misses
    search(x, 2.4e6, 806e6)
    assert _pss._replica_spectra.cache_info().misses == misses


def test_a_cell_under_a_strong_gsm_carrier_is_found():
    """The border case: a foreign GSM C0 25 dB above the noise (in its 200 kHz) sits 200 kHz from the centre
    of a band-8 LTE cell at 0 dB, inside its PSS band. Without `SearchConfig.flatten_narrowband` the GSM
    carrier swamps the PSS correlation (0 of 6 seeds found); with it the cell is found on its other
    subcarriers."""
    from dataclasses import replace

    from detector.synth._gsm import border_scene_cells, gsm_scene

    fc = 955.4e6
    cell = LteCellSpec(pci=217, earfcn=3750, n_rb_dl=25, snr_db=0.0, n_ports=2, sfn0=321)
    xl, _ = lte_scene([cell], fc, 2.4e6, 0.08, -31.0, -30.0, 2, quantise=False)
    # the GSM scene's own noise 50 dB lower: its carrier is 25 dB above the LTE scene's noise in 200 kHz
    gsm = replace(border_scene_cells(2)[0], arfcn=101, snr_db=75.0)  # 955.2 MHz
    xg, _ = gsm_scene([gsm], fc, 2.4e6, 0.08, -31.0, -80.0, 9, quantise=False)
    x = (xl + xg[:xl.size]).astype(np.complex64)
    cells = search(x, 2.4e6, fc)
    assert [c.pci for c in cells] == [217]
    assert cells[0].mib is not None and cells[0].mib.n_rb_dl == 25
