"""Spectrum core against closed forms: tone bins and levels, noise density, Parseval, CFAR false alarms."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from detector.dsp import (
    PsdAccumulator,
    cfar_factor,
    channel_power,
    dc_mask,
    decimate,
    edge_mask,
    equivalent_averages,
    find_emissions,
    freq_shift,
    noise_floor,
    occupancy,
    occupied_bandwidth,
    resample,
    welch_psd,
)
from detector.synth import add_awgn, tone

FS = 2.4e6


@pytest.mark.parametrize("bin_index,amp", [(100, 1.0), (-300, 0.1), (511, 0.01)])
def test_bin_centred_tone_lands_in_its_bin_at_its_level(bin_index, amp):
    nfft = 1024
    f0 = bin_index * FS / nfft
    x = tone(64 * nfft, f0, FS, 20 * np.log10(amp))
    f, p = welch_psd(x, FS, nfft=nfft, window="hann")
    k = np.argmax(p)
    assert f[k] == pytest.approx(f0)
    assert 10 * np.log10(p[k]) == pytest.approx(20 * np.log10(amp), abs=0.01)


def test_off_bin_tone_level_with_flattop_within_0_01_db():
    rng = np.random.default_rng(5)
    for f0 in rng.uniform(-1e6, 1e6, 5):
        x = tone(1 << 16, f0, FS, -12.0)
        f, p = welch_psd(x, FS, nfft=512, window="flattop")
        assert abs(f[np.argmax(p)] - f0) <= FS / 512
        assert 10 * np.log10(p.max()) == pytest.approx(-12.0, abs=0.02)


def test_white_noise_density():
    rng = np.random.default_rng(1)
    x = add_awgn(np.zeros(1 << 18, np.complex64), -20.0, rng)  # total power 0.01 over FS
    f, p = welch_psd(x, FS, nfft=1024, scaling="density")
    assert np.mean(p) == pytest.approx(0.01 / FS, rel=0.02)


def test_bin_scaling_sums_to_total_power_for_any_window():
    rng = np.random.default_rng(8)
    x = add_awgn(tone(1 << 17, 300e3, FS, -10), -20, rng)
    for window in ("hann", "blackmanharris", "flattop"):
        _, p = welch_psd(x, FS, nfft=1024, window=window, scaling="bin")
        assert 10 * np.log10(p.sum()) == pytest.approx(10 * np.log10(np.mean(np.abs(x) ** 2)), abs=0.05)


def test_parseval_boxcar_no_overlap_is_exact():
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(8192) + 1j * rng.standard_normal(8192)).astype(np.complex64)
    f, p = welch_psd(x, FS, nfft=256, window="boxcar", overlap=0.0, scaling="density")
    assert_allclose(np.sum(p) * (f[1] - f[0]), np.mean(np.abs(x.astype(np.complex128)) ** 2), rtol=1e-5)


def test_streaming_accumulator_matches_whole_array_however_cut():
    rng = np.random.default_rng(3)
    x = add_awgn(tone(50000, 123e3, FS, -10), -30, rng)
    _, want = welch_psd(x[: (50000 - 1024) // 512 * 512 + 1024], FS, nfft=1024, scaling="bin")
    for cuts in ([50000], [1, 999, 20000, 50000], list(range(777, 50000, 777)) + [50000]):
        acc = PsdAccumulator(FS, nfft=1024)
        prev = 0
        for c in cuts:
            acc.update(x[prev:c])
            prev = c
        assert_allclose(acc.psd(), want, rtol=2e-4)


def test_noise_floor_unbiased_for_k1_and_k50():
    rng = np.random.default_rng(4)
    for k in (1, 50):
        p = rng.chisquare(2 * k, 20000) / (2 * k) * 3e-7
        for pct in (25, 50):
            assert noise_floor(p, k, pct) == pytest.approx(3e-7, rel=0.03)


@pytest.mark.parametrize("pfa", [1e-2, 1e-3])
def test_cfar_false_alarm_rate_on_noise_matches_the_stated_probability(pfa):
    """Noise only, Hann with 50 % overlap (K_eq from Welch's formula), floor estimated from the data."""
    rng = np.random.default_rng(11)
    nfft, trials, flagged = 512, 60, 0
    for _ in range(trials):
        x = add_awgn(np.zeros(nfft * 20, np.complex64), -25, rng)
        f, p = welch_psd(x, FS, nfft=nfft)
        k_eq = equivalent_averages(nfft, 39, "hann", 0.5)
        occ, _ = occupancy(p, k_eq, pfa=pfa, percentile=50)
        flagged += int(occ.sum())
    n = nfft * trials
    lo, hi = stats.binom.ppf([1e-4, 1 - 1e-4], n, pfa)  # 99.98 % interval
    assert lo <= flagged <= hi * 1.3, (flagged, n * pfa)


def test_cfar_factor_matches_closed_form_for_single_periodogram():
    assert cfar_factor(1e-3, 1) == pytest.approx(-np.log(1e-3))


def test_emissions_from_two_tones_and_a_block():
    rng = np.random.default_rng(6)
    n = 1 << 17
    x = tone(n, -600e3, FS, -20) + tone(n, 300e3, FS, -30)
    block = np.fft.ifft(np.where(np.abs(np.fft.fftfreq(n, 1 / FS) - 700e3) < 100e3,
                                 np.exp(2j * np.pi * rng.random(n)), 0)).astype(np.complex64)
    block *= np.sqrt(10 ** (-25 / 10) / np.mean(np.abs(block) ** 2))
    x = add_awgn(x + block, -35, rng)
    f, p = welch_psd(x, FS, nfft=1024, scaling="bin")
    k_eq = equivalent_averages(1024, 2 * n // 1024 - 1)
    occ, floor = occupancy(p, k_eq, pfa=1e-6)
    ems = find_emissions(f, p, occ, floor, bridge_bins=3)
    centres = sorted(round(e.center_hz / 1e3) for e in ems)
    assert centres == [-600, 300, 700]
    wide = max(ems, key=lambda e: e.bandwidth_hz)
    assert wide.bandwidth_hz == pytest.approx(200e3, abs=3 * FS / 1024)
    assert wide.power_dbfs == pytest.approx(-25, abs=0.3)
    tone_a = min(ems, key=lambda e: e.center_hz)
    assert tone_a.power_dbfs == pytest.approx(-20, abs=0.3)


def test_channel_power_on_gsm_and_lte_rasters():
    f = (np.arange(2400) - 1200) * 1e3  # 1 kHz bins
    p = np.zeros_like(f)
    p[np.abs(f) < 100e3] = 1e-5  # 199 bins of 1 kHz centred on 0 Hz, all inside a 200 kHz channel
    gsm = channel_power(f, p, [-200e3, 0.0, 200e3], 200e3)
    assert_allclose(gsm, [0.0, 199e-5, 0.0], atol=1e-12)
    assert_allclose(channel_power(f, p, [0.0, 50e3], 1.08e6), [199e-5, 199e-5])
    assert_allclose(channel_power(f, p, [150e3], 200e3), [49.5e-5])  # half of bin 50 kHz .. 99 kHz


def test_occupied_bandwidth_of_flat_block():
    f = (np.arange(4096) - 2048) * 500.0
    p = np.where(np.abs(f) < 540e3, 1.0, 0.0)
    assert occupied_bandwidth(f, p, 0.99) == pytest.approx(1.08e6 * 0.99, rel=0.01)


def test_masks():
    f = np.linspace(-1.2e6, 1.2e6, 9)
    assert dc_mask(f, 1e3).tolist() == [False] * 4 + [True] + [False] * 4
    assert edge_mask(f, 2.4e6, 0.2).tolist() == [True] + [False] * 7 + [True]


def test_freq_shift_is_phase_continuous_across_blocks():
    x = np.ones(1000, np.complex64)
    whole = freq_shift(x, 12345.6, FS)
    parts = np.concatenate([freq_shift(x[:333], 12345.6, FS, 0), freq_shift(x[333:], 12345.6, FS, 333)])
    assert_allclose(parts, whole, atol=1e-6)


def test_resample_2_4_to_1_92_keeps_a_tone():
    x = tone(24000, 200e3, FS, -6)
    y = resample(x, FS, 1.92e6)
    assert y.size == 19200 and y.dtype == np.complex64
    f, p = welch_psd(y[1000:-1000], 1.92e6, nfft=1920 // 2 * 2 if False else 1024, window="flattop")
    assert abs(f[np.argmax(p)] - 200e3) <= 1.92e6 / 1024
    assert 10 * np.log10(p.max()) == pytest.approx(-6, abs=0.1)


def test_decimate_rejects_out_of_band_tone():
    x = tone(48000, 50e3, FS, 0) + tone(48000, 800e3, FS, 0)
    y = decimate(x, 8)  # new rate 300 kS/s: 800 kHz must be filtered, 50 kHz kept
    f, p = welch_psd(y[200:], FS / 8, nfft=256, window="flattop")
    assert 10 * np.log10(p.max()) == pytest.approx(0, abs=0.2)
    assert abs(f[np.argmax(p)] - 50e3) <= FS / 8 / 256


def test_bad_arguments():
    with pytest.raises(ValueError, match="nfft must be a power of two"):
        welch_psd(np.zeros(4096, np.complex64), FS, nfft=1000)
    with pytest.raises(ValueError, match="need at least nfft=1024 samples, got 10"):
        welch_psd(np.zeros(10, np.complex64), FS)
    with pytest.raises(ValueError, match="1-D complex array"):
        welch_psd(np.zeros(4096), FS)
    with pytest.raises(ValueError, match="pfa must be in"):
        cfar_factor(0, 10)


def test_lag_correlator_noise_false_alarms_match_the_threshold():
    from detector.dsp import LagCorrelator, lag_threshold

    rng = np.random.default_rng(12)
    hits, trials = 0, 400
    for _ in range(trials):
        c = LagCorrelator(128)
        c.update(add_awgn(np.zeros(4000, np.complex64), 0, rng))
        hits += c.detected(pfa=0.05)
    lo, hi = stats.binom.ppf([1e-4, 1 - 1e-4], trials, 0.05)
    assert lo <= hits <= hi
    assert lag_threshold(3872, 0.05) == pytest.approx(np.sqrt(-np.log(0.05) / 3872))


def test_flatten_narrowband_pulls_a_carrier_down_to_the_level_around_it_and_leaves_the_rest():
    from detector.dsp import flatten_narrowband

    fs, n = 2.4e6, 240000
    rng = np.random.default_rng(4)
    noise = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(2)).astype(np.complex64)
    # a 200 kHz-wide carrier 20 dB above the noise density at +500 kHz (band-limited noise, shaped in frequency)
    spec = np.fft.fft(rng.standard_normal(n) + 1j * rng.standard_normal(n))
    f = np.fft.fftfreq(n, 1 / fs)
    spec[np.abs(f - 500e3) > 100e3] = 0
    carrier = np.fft.ifft(spec) * np.sqrt(100 * fs / 200e3 / 2)
    x = (noise + carrier).astype(np.complex64)
    y = flatten_narrowband(x, fs)

    def band_db(z, lo, hi):
        p = np.abs(np.fft.fft(z)) ** 2
        return 10 * np.log10(p[(f >= lo) & (f < hi)].mean() / (np.abs(np.fft.fft(noise)) ** 2).mean())

    assert band_db(x, 450e3, 550e3) > 19  # the carrier, before
    assert abs(band_db(y, 450e3, 550e3)) < 1.5  # at the level around it, after
    assert abs(band_db(y, -900e3, 300e3) - band_db(x, -900e3, 300e3)) < 0.05  # the rest untouched
    # a lone spike (the RTL-SDR's DC offset) is no carrier: nothing changes, the same array comes back
    dc = (noise + 0.5).astype(np.complex64)
    assert flatten_narrowband(dc, fs) is dc
