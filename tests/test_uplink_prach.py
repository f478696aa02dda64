"""LTE random-access preambles: the generator against the Zadoff-Chu properties of TS 36.211 §5.7.2, the
root-agnostic preamble test, and single-preamble handsets through the uplink analyzer."""

import datetime as dt

import numpy as np
import pytest

from detector.sources import IQBlock
from detector.synth._uplink import lte_handset, lte_prach, zadoff_chu
from detector.uplink import UplinkAnalyzer
from detector.uplink._prach import N_ZC, PRACH_SCORE_THRESHOLD, prach_score

FS = 2.4e6
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _noise(n, rng, dbfs_per_200k=-45.0):
    p = 10 ** (dbfs_per_200k / 10) * FS / 200e3
    return (np.sqrt(p / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(np.complex64)


def test_zadoff_chu_properties():
    """Constant amplitude, zero periodic autocorrelation off lag 0, and a DFT that is the conjugate ZC of
    root u^-1 (the property the test relies on); x_129(1) = exp(-j pi 129 * 2 / 839)."""
    x = zadoff_chu(129)
    assert x.size == N_ZC and np.allclose(np.abs(x), 1)
    assert x[1] == pytest.approx(np.exp(-1j * np.pi * 129 * 2 / 839))
    ac = np.fft.ifft(np.abs(np.fft.fft(x)) ** 2) / N_ZC
    assert abs(ac[0]) == pytest.approx(1.0) and np.max(np.abs(ac[1:])) < 1e-9
    X = np.fft.fft(x)
    inv = pow(129, -1, N_ZC)
    k = np.arange(N_ZC)
    ratio = X / np.conj(zadoff_chu(129)[(inv * k) % N_ZC])
    assert np.allclose(ratio, ratio[0])  # X(k) = X(0) x_u*(u^-1 k)


@pytest.mark.parametrize("root, shift", [(129, 0), (22, 13), (838, 400), (1, 119), (400, 26)])
def test_preamble_found_with_its_root_at_3_db(root, shift):
    rng = np.random.default_rng(root)
    n = int(0.02 * FS)
    x = lte_prach(n, FS, 310e3, -35.0, root, [0.005], cyclic_shift=shift)
    x = x + _noise(n, rng, -35.0 - 3.0 - 10 * np.log10(1.05e6 / 200e3))  # 3 dB SNR in 1.05 MHz
    score, got, _ = prach_score(x, FS, 300e3, int(0.005 * FS) + 100)  # centre 10 kHz off, window in the CP
    assert got == root and score > 0.3


def test_data_and_noise_are_not_preambles():
    rng = np.random.default_rng(3)
    n = int(0.02 * FS)
    pusch = lte_handset(n, FS, 300e3, -30.0, rng, n_prb=6, subframes=[5]) + _noise(n, rng)
    for x in (pusch, _noise(n, rng)):
        score, root, _ = prach_score(x, FS, 300e3, int(0.005 * FS) + 100)
        assert root is None and score < PRACH_SCORE_THRESHOLD / 3
    assert prach_score(pusch[:1000], FS, 0.0, 0)[1] is None  # too short: no test, no error


def test_one_preamble_is_a_handset_one_data_burst_is_not():
    """A phone's single access attempt in China Mobile's B8 uplink block is reported (with its root); a
    lone 1 ms data burst is not (it needs the 1 ms grid of >= 2 transmissions)."""
    rng = np.random.default_rng(4)
    n = int(0.5 * FS)
    x = lte_prach(n, FS, 400e3, -35.0, 129, [0.1033], cyclic_shift=26) + _noise(n, rng)
    a = UplinkAnalyzer()
    (rec,) = a.process(IQBlock(x, 889.0e6, FS, 0, T0)) + a.finish()
    assert (rec["kind"], rec["tech"], rec["bursts"], rec["prach"], rec["prach_roots"]) == ("handset", "lte", 1, 1,
                                                                                          [129])
    assert abs(rec["freq_hz"] - 889.4e6) < 150e3 and rec["operator_blocks"][0]["operator"] == "China Mobile"
    y = lte_handset(n, FS, 400e3, -35.0, rng, n_prb=6, subframes=[103]) + _noise(n, rng)
    a = UplinkAnalyzer()
    assert a.process(IQBlock(y, 889.0e6, FS, 0, T0)) + a.finish() == []
