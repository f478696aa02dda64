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


def rows(trials: int = 20) -> list[tuple]:
    out = []
    for tech in ("gsm", "lte"):
        curve = detection_curve(tech, [-8, -6, -4, -2, 0, 2, 4, 6], trials)
        text = ", ".join(f"{s:+d} dB: {p:.2f}" for s, p in curve)
        out.append((f"handset {tech} Pd", f"{trials} x 1 s", "", "", text))
    fa = false_handsets()
    out.append(("handset false", f"{fa['seconds']:g} s each", "", f"{fa['x_real_time']:.1f}",
                f"noise-only: {fa['noise']}, downlink-only: {fa['downlinks']} false handsets"))
    return out
