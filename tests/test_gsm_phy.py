"""GSM physical layer pieces: GMSK (TS 45.004), the derotated linear model the equaliser relies on, the channel
sampler, FCCH measurement, the soft MLSE, and the C0 generator's frame structure (TS 45.002)."""

import numpy as np
import pytest

from detector.gsm._burst import equalise, estimate_channel, known_bits_normal
from detector.gsm._channelizer import ChannelSampler
from detector.gsm._constants import (
    DUMMY_BITS,
    FCCH_OFFSET_HZ,
    FRAME_PERIOD_S,
    SYMBOL_RATE_HZ,
    SYNC_BITS,
    TIMESLOT_START_SYMBOLS,
    TSC_BITS,
)
from detector.gsm._fcch import fcch_search, refine_fcch
from detector.gsm._gmsk import differential_symbols, gmsk_modulate, phase_pulse
from detector.gsm._sysinfo import parse_si
from detector.synth._gsm import GsmCell, bcch_schedule, c0_frame_bits, c0_signal, gsm_scene, si_messages


def test_phase_pulse_shape():
    t = np.linspace(-5, 5, 1001)
    q = phase_pulse(t)
    assert q[0] == pytest.approx(0, abs=1e-9) and q[-1] == pytest.approx(1, abs=1e-9)
    assert q[500] == pytest.approx(0.5) and np.all(np.diff(q) >= -1e-12)
    # independent check: numerical convolution of the Gaussian (BT 0.3) with a 1-symbol rect, integrated
    dt = 1e-3
    tt = np.arange(-6, 6, dt)
    delta = np.sqrt(np.log(2)) / (2 * np.pi * 0.3)
    g = np.convolve(np.exp(-tt ** 2 / (2 * delta ** 2)) / (np.sqrt(2 * np.pi) * delta), np.ones(1000) * dt, "same")
    assert np.allclose(np.cumsum(g) * dt, phase_pulse(tt + dt / 2), atol=2e-3)


def test_gmsk_phase_steps_and_envelope():
    """h = 1/2: a run of equal symbols turns the phase by pi/2 per symbol; the envelope is constant."""
    bits = np.concatenate([np.zeros(50, np.uint8), np.ones(1, np.uint8), np.zeros(50, np.uint8)])
    a = differential_symbols(bits)
    assert a[:50].tolist() == [-1.0] + [1.0] * 49  # d(-1) = 1
    t = np.arange(0, 100, 0.25)
    x = gmsk_modulate(bits, t)
    assert np.allclose(np.abs(x), 1, atol=1e-6)
    step = np.angle(x[4 * 20 + 4] * np.conj(x[4 * 20]))
    assert step == pytest.approx(np.pi / 2, abs=1e-3)


def test_derotated_gmsk_is_linear_in_the_bits():
    """Laurent: after derotation by j^-n the symbol-spaced GMSK samples are sum_l h[l] a[n-l], within ~-20 dB."""
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 2, 400).astype(np.uint8)
    n = np.arange(20, 380)
    x = gmsk_modulate(bits, n.astype(float)) * (-1j) ** n
    a = 1.0 - 2.0 * bits
    A = np.stack([a[n + 1 - k] for k in range(5)], axis=1)  # taps a[n+1] .. a[n-3]
    h, *_ = np.linalg.lstsq(A, x, rcond=None)
    err = np.mean(np.abs(x - A @ h) ** 2) / np.mean(np.abs(x) ** 2)
    assert 10 * np.log10(err) < -18
    assert np.argmax(np.abs(h)) == 1  # the main tap: the current symbol


def test_channel_sampler_frequency_response():
    fs = 2.4e6
    s = ChannelSampler(fs, 0.0)
    n = np.arange(8000)
    gains = {}
    for f in (0.0, 60e3, 85e3, 200e3, 400e3):
        y = s.sample(np.exp(2j * np.pi * f * n / fs).astype(np.complex64), 1000 + np.arange(200) * 7.3)
        gains[f] = 20 * np.log10(np.mean(np.abs(y)))
    assert gains[0.0] == pytest.approx(0, abs=0.05) and gains[60e3] > -1.5
    assert gains[85e3] == pytest.approx(-6, abs=0.5) and gains[200e3] < -60 and gains[400e3] < -70
    with pytest.raises(ValueError):
        ChannelSampler(150e3, 0.0)


def test_fcch_measured_to_hertz_and_symbol():
    cell = GsmCell(arfcn=62, mcc="460", mnc="00", lac=1, cell_id=1, bsic=3, fn_start=51 * 100 - 1,
                   timing_offset_s=0.0021)
    fs = 1.0e6
    x, _ = c0_signal(cell, fs, int(0.03 * fs), offset_hz=-31234.5)
    rng = np.random.default_rng(0)
    x = (x * 0.1 + 0.003 * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))).astype(np.complex64)
    (hit,) = fcch_search(x, fs)
    fine = refine_fcch(x, fs, hit)
    assert fine.carrier_hz == pytest.approx(-31234.5, abs=5)
    start_true = (FRAME_PERIOD_S - 0.0021) * fs  # frame fn_start + 1 (FN mod 51 = 0) begins here
    assert abs(fine.start - start_true) < 1.5 * fs / SYMBOL_RATE_HZ
    assert hit.tone_hz == pytest.approx(-31234.5 + FCCH_OFFSET_HZ, abs=fs / 512)


def test_equaliser_recovers_bits_through_two_path_channel():
    rng = np.random.default_rng(4)
    tsc = 5
    n_b = 12
    known = known_bits_normal(tsc)
    bits = rng.integers(0, 2, (n_b, 148)).astype(np.uint8)
    bits[:, known >= 0] = known[known >= 0]
    pad = 9
    r = np.empty((n_b, 1, 148 + 2 * pad + 10), np.complex64)
    for b in range(n_b):
        stream = np.concatenate([rng.integers(0, 2, pad + 5), bits[b], rng.integers(0, 2, pad + 10)]).astype(np.uint8)
        t = np.arange(r.shape[2]) + 5.0 - 0.3  # sample instants (symbols) relative to the stream start
        x = gmsk_modulate(stream, t) + 0.5 * np.exp(1j) * gmsk_modulate(stream, t - 1.6)  # echo at 1.6 symbols
        x *= (-1j) ** np.arange(r.shape[2]) * np.exp(1j * rng.uniform(0, 6.3))
        r[b, 0] = x + (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size)) * 0.12
    est = estimate_channel(r, pad, tsc, max_shift=4)
    y = r[np.arange(n_b)[:, None], est.phase[:, None], est.shift[:, None] + np.arange(152)[None, :]]
    llr = equalise(y, est, known)
    data = known < 0
    assert np.array_equal((llr[:, data] < 0), bits[:, data].astype(bool))
    assert np.all(est.snr_db > 8)


def test_generator_frame_structure():
    cell = GsmCell(arfcn=10, mcc="467", mnc="05", lac=2, cell_id=3, bsic=0o53, neighbours=[1, 2],
                   ext_neighbours=[980], ter_neighbours=[600], gprs=True)
    msgs = si_messages(cell)
    assert set(msgs) == {"SI1", "SI2", "SI3", "SI4", "SI2bis", "SI2ter", "SI13"}
    assert parse_si(msgs["SI3"])["mnc"] == "05" and parse_si(msgs["SI2bis"])["neighbours"] == [980]
    assert parse_si(msgs["SI3"])["gprs"] is True and parse_si(msgs["SI3"])["si2ter_indicator"] is True
    sched = bcch_schedule(cell)
    assert sched[0] == ["SI1"] and sched[2] == sched[6] == ["SI3"] and sched[5] == ["SI2bis"]
    assert sched[4] == ["SI2ter", "SI13"]
    fcch = c0_frame_bits(cell, 51 * 7)
    assert not fcch[:148].any()
    sch = c0_frame_bits(cell, 51 * 7 + 1)
    assert np.array_equal(sch[42:106], SYNC_BITS)
    nb = c0_frame_bits(cell, 51 * 7 + 2)
    assert np.array_equal(nb[61:87], TSC_BITS[cell.bsic & 7])
    for start in TIMESLOT_START_SYMBOLS[1:]:
        assert np.array_equal(nb[start + 3: start + 145], DUMMY_BITS)
    with pytest.raises(ValueError):
        GsmCell(arfcn=1, mcc="46", mnc="00", lac=1, cell_id=1, bsic=1)
    with pytest.raises(ValueError):
        gsm_scene([cell], 900e6, 1e6, 0.01)  # ARFCN 10 (937 MHz) is outside the capture


def test_multipath_channel_still_decodes():
    from detector.gsm import receive

    cell = GsmCell(arfcn=62, mcc="460", mnc="00", lac=9, cell_id=77, bsic=33, snr_db=16.0,
                   fn_start=51 * 8 * 50 + 51 * 2 - 1, timing_offset_s=0.0017,
                   multipath=[(2.2e-6, -3.0, 1.0), (5.9e-6, -9.0, 2.5)])
    x, _ = gsm_scene([cell], 947.5e6, 1.0e6, 0.26, ppm=-3.0, noise_dbfs=-30, seed=9)
    (r,) = receive(x, 1.0e6)
    assert r.bsic == 33 and any(b.message.get("cell_id") == 77 for b in r.blocks)
