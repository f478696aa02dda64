"""Handsets in the uplink subframes of a TDD carrier (`detector.uplink._tdd`), on scenes whose frame timing
and UL/DL configuration are known: a TD-LTE downlink (OFDM energy in D subframes and the DwPTS), a handset
of 4 PRBs in some uplink subframes, white noise."""

import numpy as np
import pytest

from detector.synth._uplink import lte_handset, tdd_downlink_like
from detector.uplink._tdd import UL_DL_CONFIGURATIONS, tdd_uplink_handsets

FS = 1.92e6


def _tdd_downlink(n, config, frame_start_s, rng, power_dbfs=-20.0):
    return tdd_downlink_like(n, FS, config, frame_start_s, rng, power_dbfs)


def _noise(n, rng, dbfs_per_bin_hz):
    p = 10 ** (dbfs_per_bin_hz / 10)
    return (np.sqrt(p / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(np.complex64)


@pytest.mark.parametrize("config", [1, 2])
def test_handset_in_uplink_subframes_is_found(config):
    rng = np.random.default_rng(5)
    n = int(0.2 * FS)
    frame_start_s = 3.3e-3
    ul = [k for k, c in enumerate(UL_DL_CONFIGURATIONS[config]) if c == "U"]
    # the handset transmits in the first uplink subframe of every other frame: 10 of 20 frames
    sfs = [10 * f + ul[0] for f in range(0, 20, 2)]
    noise_dbfs = -40.0  # over the 1.92 MHz band: 4 PRBs (720 kHz) hold -44.3 dBFS of noise
    hs = lte_handset(n, FS, 300e3, -44.3 + 6.0, rng, n_prb=4, subframes=sfs, start_s=frame_start_s - 10e-3)
    x = _tdd_downlink(n, config, frame_start_s, rng) + hs + _noise(n, rng, noise_dbfs)
    found, info = tdd_uplink_handsets(x, FS, frame_start_s * FS, config, 0.0, 20e6)
    assert info["dl_snr_db"] > 15 and info["frames"] == 19
    (h,) = found
    assert 300e3 - 360e3 - 180e3 <= h.lo_hz <= 300e3 - 360e3 + 1 and 300e3 + 360e3 - 1 <= h.hi_hz <= 300e3 + 540e3
    frames = sorted({f for f, _ in h.subframes})
    assert {u for _, u in h.subframes} == {ul[0]} and len(frames) >= 9
    assert h.snr_db == pytest.approx(6.0, abs=1.5)


def test_downlink_and_noise_alone_give_no_handset():
    rng = np.random.default_rng(6)
    n = int(0.5 * FS)
    for config in range(7):
        x = _tdd_downlink(n, config, 1.0e-3, rng) + _noise(n, rng, -40.0)
        found, info = tdd_uplink_handsets(x, FS, 1.0e-3 * FS, config, 0.0, 20e6)
        assert found == [], (config, found)
    found, _ = tdd_uplink_handsets(_noise(n, rng, -40.0), FS, 0, 0, 0.0, 20e6)
    assert found == []


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="UL/DL configuration must be 0-6"):
        tdd_uplink_handsets(np.zeros(20000, np.complex64), FS, 0, 7)


def test_uplink_analyzer_takes_the_tdd_timing_from_the_lte_record():
    """Through the pipeline: a stand-in LTE analyzer reports the TD-LTE cell (as `detector.lte` does) and the
    uplink analyzer finds the handset in its uplink subframes, in China Mobile's band 39 block."""
    import datetime as dt

    from detector import pipeline
    from detector.sources import IQBlock
    from detector.uplink import UplinkAnalyzer

    rng = np.random.default_rng(8)
    n = int(0.3 * FS)
    fc, frame_start_s, config = 1890e6, 4.1e-3, 2
    ul = [k for k, c in enumerate(UL_DL_CONFIGURATIONS[config]) if c == "U"]
    hs = lte_handset(n, FS, -200e3, -38.0, rng, n_prb=3, subframes=[10 * f + ul[1] for f in range(30)],
                     start_s=frame_start_s)
    x = (_tdd_downlink(n, config, frame_start_s, rng) + hs + _noise(n, rng, -40.0)).astype(np.complex64)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    start = 5_000_000  # the segment's first sample in the stream

    class StandInLte:
        name, order = "lte-stand-in", 20

        def process(self, block):
            return []

        def finish(self):
            return [{"kind": "cell", "tech": "lte", "freq_hz": fc, "identity": {"pci": 7, "duplex": "tdd"},
                     "freq_offset_hz": 0.0, "lte": {"frame_start_s": frame_start_s + 3 * 10e-3, "tdd_config": config}}]

    class Src:
        name = "test"

    blocks = [IQBlock(x[i:i + 100_000], fc, FS, start + i, t0 + dt.timedelta(seconds=i / FS))
              for i in range(0, n, 100_000)]
    result = pipeline.run(Src(), blocks, [UplinkAnalyzer(), StandInLte()])
    (h,) = [r for r in result.records if r["kind"] == "handset"]
    assert (h["tech"], h["band"], h["duplex"], h["cell"]["pci"]) == ("lte", "B39", "tdd", 7)
    assert abs(h["freq_hz"] - (fc - 200e3)) < 200e3 and h["subframes"] >= 25
    assert [b["operator"] for b in h["operator_blocks"]] == ["China Mobile"]
    # without the LTE cell the TDD band is not searched at all
    assert [r for r in pipeline.run(Src(), blocks, [UplinkAnalyzer()]).records if r["kind"] == "handset"] == []


def test_a_steady_spur_in_the_uplink_subframes_is_not_a_handset():
    """The RTL-SDR's DC spur (or any CW) is on in the guard period too: no handset, while a real one beside
    it is still found (the real TD-LTE capture f1890 has such a spur in its centre PRB)."""
    rng = np.random.default_rng(9)
    n = int(0.2 * FS)
    t = np.arange(n) / FS
    spur = (10 ** (-33 / 20) * np.exp(2j * np.pi * 20e3 * t)).astype(np.complex64)
    x = _tdd_downlink(n, 2, 1e-3, rng) + spur + _noise(n, rng, -40.0)
    assert tdd_uplink_handsets(x, FS, 1e-3 * FS, 2, 0.0, 20e6)[0] == []
    hs = lte_handset(n, FS, -500e3, -44.3 + 6.0, rng, n_prb=4, subframes=[10 * f + 2 for f in range(20)],
                     start_s=1e-3)
    (h,) = tdd_uplink_handsets(x + hs, FS, 1e-3 * FS, 2, 0.0, 20e6)[0]
    assert h.hi_hz < 0 and len(h.subframes) >= 18
