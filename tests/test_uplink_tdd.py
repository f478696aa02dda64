"""Handsets in the uplink subframes of a TDD carrier (`detector.uplink._tdd`), on scenes whose frame timing
and UL/DL configuration are known: a TD-LTE downlink (OFDM energy in D subframes and the DwPTS), a handset
of 4 PRBs in some uplink subframes, white noise."""

import numpy as np
import pytest

from detector.synth._shapes import ofdm_like, place
from detector.synth._uplink import lte_handset
from detector.uplink._tdd import UL_DL_CONFIGURATIONS, tdd_uplink_handsets

FS = 1.92e6


def _tdd_downlink(n, config, frame_start_s, rng, power_dbfs=-20.0, dwpts_symbols=10):
    """OFDM energy (6 PRBs seen) in the D subframes and the first `dwpts_symbols` of the S subframes."""
    x = place(ofdm_like(n + 64, FS, 6, rng)[:n], 0.0, FS, power_dbfs)
    gate = np.zeros(n, np.float32)
    pattern = UL_DL_CONFIGURATIONS[config]
    t = np.arange(n) / FS - frame_start_s
    sf = np.floor(t / 1e-3).astype(int) % 10
    within = t / 1e-3 - np.floor(t / 1e-3)
    for k, c in enumerate(pattern):
        if c == "D":
            gate[sf == k] = 1
        elif c == "S":
            gate[(sf == k) & (within < dwpts_symbols / 14)] = 1
    return x * gate


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
