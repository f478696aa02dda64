"""Handset benchmark rows: detection probability vs SNR (GSM at 1/8 duty, LTE with 4 PRBs, 1 s each),
false handsets on noise-only and downlink-only captures, and throughput.

SNR is the handset's power while transmitting over the noise in its occupied bandwidth (200 kHz for GSM,
4 x 180 kHz for LTE). A trial detects when a handset of the right technology is reported within 300 kHz.
"""

from __future__ import annotations

import time

import numpy as np

FS = 2.4e6
NOISE_PER_200K = -45.0


def _noise_dbfs() -> float:
    return NOISE_PER_200K + 10 * np.log10(FS / 200e3)


def detection_curve(tech: str, snrs_db, trials: int = 20, seconds: float = 1.0, seed: int = 1) -> list[tuple]:
    """[(snr_db, probability)] for one technology."""
    from detector.synth import add_awgn
    from detector.synth._uplink import gsm_handset, lte_handset
    from detector.uplink import detect_handsets

    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    out = []
    for snr in snrs_db:
        hits = 0
        for _ in range(trials):
            if tech == "gsm":
                p = NOISE_PER_200K + snr
                x = gsm_handset(n, FS, 400e3, p, rng, timeslot=int(rng.integers(8)))
                want = 902.4e6
            else:
                p = NOISE_PER_200K + 10 * np.log10(4 * 180e3 / 200e3) + snr
                x = lte_handset(n, FS, -500e3, p, rng, n_prb=4, start_s=float(rng.uniform(0, 1e-3)))
                want = 901.5e6
            x = add_awgn(x, _noise_dbfs(), rng)
            hs = detect_handsets(x, FS, 902e6)
            hits += any(h.tech == tech and abs(h.center_hz - want) < 300e3 for h in hs)
        out.append((snr, hits / trials))
    return out


def false_handsets(seconds: float = 30.0, seed: int = 2) -> dict:
    """False handsets on noise-only and on downlink-only (GSM carriers + an LTE downlink) captures."""
    from detector.synth import add_awgn
    from detector.synth._shapes import gmsk_like, ofdm_like, place
    from detector.uplink import detect_handsets

    rng = np.random.default_rng(seed)
    n = int(1.0 * FS)
    counts = {"noise": 0, "downlinks": 0}
    t0 = time.perf_counter()
    for _ in range(int(seconds)):
        x = add_awgn(np.zeros(n, np.complex64), _noise_dbfs(), rng)
        counts["noise"] += len(detect_handsets(x, FS, 902e6))
        y = x + place(gmsk_like(n, FS, rng), 200e3, FS, -30) + place(ofdm_like(n, FS, 6, rng), -600e3, FS, -30)
        counts["downlinks"] += len(detect_handsets(y, FS, 902e6))
    counts["seconds"] = seconds
    counts["x_real_time"] = 2 * seconds / (time.perf_counter() - t0)
    return counts


TDD_FS = 1.92e6


def tdd_detection_curve(snrs_db, trials: int = 20, seconds: float = 1.0, seed: int = 3, config: int = 2
                        ) -> list[tuple]:
    """[(snr_db, probability)]: a TD-LTE handset of 4 PRBs in one uplink subframe of every frame (10 %
    of the uplink time in configuration 2), beside the cell's downlink (20 dB over the noise), given the
    downlink's frame timing; SNR over the noise in the 720 kHz it occupies while transmitting."""
    from detector.synth import add_awgn
    from detector.synth._uplink import lte_handset, tdd_downlink_like
    from detector.uplink._tdd import UL_DL_CONFIGURATIONS, tdd_uplink_handsets

    rng = np.random.default_rng(seed)
    n = int(seconds * TDD_FS)
    noise = -40.0
    ul = [k for k, c in enumerate(UL_DL_CONFIGURATIONS[config]) if c == "U"]
    out = []
    for snr in snrs_db:
        hits = 0
        for _ in range(trials):
            start = float(rng.uniform(0, 10e-3))
            p = noise + 10 * np.log10(4 * 180e3 / TDD_FS) + snr
            x = lte_handset(n, TDD_FS, 300e3, p, rng, n_prb=4, start_s=start - 10e-3,
                            subframes=[10 * f + ul[0] for f in range(int(seconds * 100) + 2)])
            x = add_awgn(x + tdd_downlink_like(n, TDD_FS, config, start, rng, noise + 20), noise, rng)
            found, _ = tdd_uplink_handsets(x, TDD_FS, start * TDD_FS, config, 0.0, 20e6)
            hits += any(abs(h.center_hz - 300e3) < 300e3 for h in found)
        out.append((snr, hits / trials))
    return out


def tdd_false_handsets(seconds: float = 60.0, seed: int = 4) -> dict:
    """False TDD handsets on downlink-only captures (each UL/DL configuration in turn), timing known."""
    from detector.synth import add_awgn
    from detector.synth._uplink import tdd_downlink_like
    from detector.uplink._tdd import tdd_uplink_handsets

    rng = np.random.default_rng(seed)
    n = int(1.0 * TDD_FS)
    false = 0
    for k in range(int(seconds)):
        cfg = k % 7
        x = add_awgn(tdd_downlink_like(n, TDD_FS, cfg, 2e-3, rng, -20.0), -40.0, rng)
        false += len(tdd_uplink_handsets(x, TDD_FS, 2e-3 * TDD_FS, cfg, 0.0, 20e6)[0])
    return {"seconds": seconds, "false": false}


def prach_detection_curve(snrs_db, trials: int = 20, seed: int = 5) -> list[tuple]:
    """[(snr_db, probability)]: one random-access preamble (format 0, random root and cyclic shift) in 0.2 s
    of an FDD uplink, reported as an LTE handset with its root; SNR in the preamble's 1.05 MHz."""
    import datetime as dt

    from detector.sources import IQBlock
    from detector.synth import add_awgn
    from detector.synth._uplink import lte_prach
    from detector.uplink import UplinkAnalyzer

    rng = np.random.default_rng(seed)
    n = int(0.2 * FS)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    out = []
    for snr in snrs_db:
        hits = 0
        for _ in range(trials):
            root = int(rng.integers(1, 839))
            p = NOISE_PER_200K + 10 * np.log10(1.05e6 / 200e3) + snr
            x = lte_prach(n, FS, float(rng.uniform(-600e3, 600e3)), p, root, [float(rng.uniform(0.02, 0.15))],
                          cyclic_shift=int(rng.integers(0, 839)))
            x = add_awgn(x, _noise_dbfs(), rng)
            a = UplinkAnalyzer()
            recs = a.process(IQBlock(x, 902e6, FS, 0, t0)) + a.finish()
            hits += any(r.get("prach_roots") == [root] for r in recs)
        out.append((snr, hits / trials))
    return out


def rows(trials: int = 20) -> list[tuple]:
    out = []
    for tech in ("gsm", "lte"):
        curve = detection_curve(tech, [-8, -6, -4, -2, 0, 2, 4, 6], trials)
        text = ", ".join(f"{s:+d} dB: {p:.2f}" for s, p in curve)
        out.append((f"handset {tech} Pd", f"{trials} x 1 s", "", "", text))
    curve = tdd_detection_curve([-8, -6, -4, -2, 0, 2, 4], trials)
    out.append(("handset tdd Pd", f"{trials} x 1 s", "", "", ", ".join(f"{s:+d} dB: {p:.2f}" for s, p in curve)))
    fa = tdd_false_handsets()
    out.append(("handset tdd false", f"{fa['seconds']:g} s", "", "", f"downlink-only: {fa['false']} false handsets"))
    curve = prach_detection_curve([-6, -4, -2, 0, 2, 4], trials)
    out.append(("prach Pd", f"{trials} x 0.2 s", "", "", ", ".join(f"{s:+d} dB: {p:.2f}" for s, p in curve)))
    fa = false_handsets()
    out.append(("handset false", f"{fa['seconds']:g} s each", "", f"{fa['x_real_time']:.1f}",
                f"noise-only: {fa['noise']}, downlink-only: {fa['downlinks']} false handsets"))
    return out
