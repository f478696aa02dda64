"""Handset uplink signals: GSM TDMA bursts and LTE SC-FDMA subframes, mixed into scenes with ground truth.

GSM: GMSK (BT 0.3) bursts of 148 bits (normal) or 88 bits (access) starting at the handset's timeslot
(577 us each) of every TDMA frame (4.615 ms; TS 45.002/45.010), with 8-bit-time power ramps.
LTE: SC-FDMA-shaped energy on `n_prb` x 180 kHz in whole 1 ms subframes (TS 36.211), on the subframes
listed. Spectral shapes, not decodable payloads: enough for activity detection. LTE random access:
real preamble format 0 (TS 36.211 §5.7: a Zadoff-Chu sequence of length 839, root u, cyclic shift C_v,
on 839 subcarriers of 1.25 kHz, CP 103.1 us + 800 us), so that the preamble test can be checked.
"""

from __future__ import annotations

import numpy as np

from ._shapes import gmsk_like, ofdm_like, place

__all__ = ["gsm_handset", "lte_handset", "lte_prach", "tdd_downlink_like", "zadoff_chu", "TDMA_FRAME_S",
           "TIMESLOT_S"]

SYMBOL_RATE = 1625000 / 6
TDMA_FRAME_S = 120e-3 / 26
TIMESLOT_S = TDMA_FRAME_S / 8


def gsm_handset(num_samples: int, fs: float, offset_hz: float, power_dbfs: float, rng: np.random.Generator,
                timeslot: int = 0, access: bool = False, every_n_frames: int = 1, start_s: float = 0.0
                ) -> np.ndarray:
    """A handset's burst train at `offset_hz` from DC: one burst per `every_n_frames` TDMA frames in `timeslot`.

    `power_dbfs` is the power *during* a burst (the average over time is lower by the duty cycle).
    """
    bits = 88 if access else 148
    burst_len = int(round(bits / SYMBOL_RATE * fs))
    ramp = max(2, int(round(8 / SYMBOL_RATE * fs)))
    env = np.ones(burst_len, np.float32)
    env[:ramp] = np.linspace(0, 1, ramp)
    env[-ramp:] = np.linspace(1, 0, ramp)
    carrier = gmsk_like(num_samples, fs, rng)
    gate = np.zeros(num_samples, np.float32)
    t = start_s + timeslot * TIMESLOT_S
    while True:
        s = int(round(t * fs))
        if s >= num_samples:
            break
        e = min(s + burst_len, num_samples)
        if s >= 0:
            gate[s:e] = env[: e - s]
        t += every_n_frames * TDMA_FRAME_S
    return (place(carrier, offset_hz, fs, power_dbfs) * gate).astype(np.complex64)


def lte_handset(num_samples: int, fs: float, offset_hz: float, power_dbfs: float, rng: np.random.Generator,
                n_prb: int = 4, subframes=None, start_s: float = 0.0) -> np.ndarray:
    """SC-FDMA-shaped energy of `n_prb` PRBs at `offset_hz`, in the 1 ms subframes listed (default every 5th).

    `power_dbfs` is the power while transmitting.
    """
    wide = ofdm_like(num_samples + 64, fs, max(1, n_prb), rng)[:num_samples]
    total_sf = int(np.ceil(num_samples / fs / 1e-3)) + 1
    subframes = list(range(0, total_sf, 5)) if subframes is None else list(subframes)
    gate = np.zeros(num_samples, np.float32)
    for k in subframes:
        s = int(round((start_s + k * 1e-3) * fs))
        e = min(int(round((start_s + (k + 1) * 1e-3) * fs)), num_samples)
        if 0 <= s < num_samples:
            gate[s:e] = 1.0
    return (place(wide, offset_hz, fs, power_dbfs) * gate).astype(np.complex64)


def zadoff_chu(root: int, length: int = 839) -> np.ndarray:
    """x_u(n) = exp(-j pi u n (n + 1) / N_ZC), n = 0..N_ZC-1 (TS 36.211 §5.7.2, eq. for x_u)."""
    n = np.arange(length)
    return np.exp(-1j * np.pi * root * n * (n + 1) / length)


def lte_prach(num_samples: int, fs: float, offset_hz: float, power_dbfs: float, root: int, starts_s,
              cyclic_shift: int = 0) -> np.ndarray:
    """Preamble format 0 of physical root `root` and cyclic shift `cyclic_shift` (samples of the ZC), centred
    on `offset_hz`, starting at each time in `starts_s` (s); `power_dbfs` while transmitting.

    Baseband (TS 36.211 §5.7.3): the 839-point DFT of x_u,v(n) = x_u((n + C_v) mod 839) on subcarriers
    -419..419 x 1.25 kHz around the centre, 800 us long, preceded by its last 103.1 us (the CP).
    """
    from ..uplink._prach import N_ZC, PRACH_CP_S, PRACH_SEQ_S

    seq = np.roll(zadoff_chu(root, N_ZC), -cyclic_shift)
    n = int(round(PRACH_SEQ_S * fs))
    spec = np.zeros(n, np.complex128)
    spec[(np.arange(N_ZC) - N_ZC // 2) % n] = np.fft.fft(seq)
    body = np.fft.ifft(spec)
    body *= np.sqrt(10 ** (power_dbfs / 10) / np.mean(np.abs(body) ** 2))
    cp = int(round(PRACH_CP_S * fs))
    pre = np.concatenate([body[-cp:], body])
    out = np.zeros(num_samples, np.complex128)
    for t0 in starts_s:
        s = int(round(t0 * fs))
        e = min(s + pre.size, num_samples)
        if 0 <= s < num_samples:
            out[s:e] += pre[: e - s]
    tt = np.arange(num_samples) / fs
    return (out * np.exp(2j * np.pi * offset_hz * tt)).astype(np.complex64)


def tdd_downlink_like(num_samples: int, fs: float, configuration: int, frame_start_s: float, rng: np.random.Generator,
                      power_dbfs: float = -20.0, n_rb: int = 6, dwpts_symbols: int = 10) -> np.ndarray:
    """OFDM-shaped energy of `n_rb` PRBs (centred) in the D subframes of a TDD UL/DL `configuration` and the
    first `dwpts_symbols` symbols of its S subframes; silent in the guard period and uplink subframes.

    Frame timing: subframe 0 starts at `frame_start_s` (+ multiples of 10 ms). A stand-in for a TD-LTE
    downlink where only its time structure matters (the uplink detector's tests and benchmark).
    """
    from ..uplink._tdd import UL_DL_CONFIGURATIONS

    x = place(ofdm_like(num_samples + 64, fs, n_rb, rng)[:num_samples], 0.0, fs, power_dbfs)
    t_sf = (np.arange(num_samples) / fs - frame_start_s) / 1e-3
    sf = np.floor(t_sf).astype(np.int64) % 10
    within = t_sf - np.floor(t_sf)
    kind = np.array(list(UL_DL_CONFIGURATIONS[configuration]))[sf]
    gate = (kind == "D") | ((kind == "S") & (within < dwpts_symbols / 14))
    return (x * gate).astype(np.complex64)


def write_uplink_scene(path: str, seed: int = 3) -> dict:
    """Write the two-step handset scene of ``recordings/`` (cu8 SigMF, 2.4 MS/s, 0.25 s per step).

    Step 0, tuned to 889.0 MHz (GSM900/B8 uplink): a GSM handset on 888.2 MHz (E-GSM uplink ARFCN 1015, in
    China Mobile's E-GSM900 block and below the P-GSM block North Korea's SunNet holds), timeslot 3, every
    TDMA frame, -35 dBFS while transmitting; an LTE handset of 4 PRBs centred on 889.5 MHz (China Mobile's
    B8 uplink block) in every 5th 1 ms subframe, -33 dBFS while transmitting; two broadband impulses
    (20 us); noise -45 dBFS per 200 kHz.
    Step 1, tuned to 947.4 MHz (GSM900 downlink): a continuous GSM carrier at 947.4 MHz, a base station's
    bursty carrier at 948.0 MHz (timeslots 0, 2, 5 every frame) and an LTE 1.4 MHz downlink at 946.3 MHz:
    base stations, which must not be reported as handsets.
    """
    import datetime as _dt
    import json

    from ..sources import IQBlock
    from ..sources._sigmf_writer import SigMFWriter
    from ._scene import add_awgn, quantise_cu8

    rng = np.random.default_rng(seed)
    fs, n = 2.4e6, int(0.25 * 2.4e6)
    noise = -45 + 10 * np.log10(fs / 200e3)
    up = (gsm_handset(n, fs, -800e3, -35, rng, timeslot=3)
          + lte_handset(n, fs, 500e3, -33, rng, n_prb=4))
    for t_imp in (0.05, 0.17):  # broadband impulses
        s = int(t_imp * fs)
        up[s: s + int(20e-6 * fs)] += (0.3 * rng.standard_normal(int(20e-6 * fs))).astype(np.complex64)
    up = add_awgn(up, noise, rng)
    down = place(gmsk_like(n, fs, rng), 0.0, fs, -30)
    for ts in (0, 2, 5):
        down += gsm_handset(n, fs, 600e3, -32, rng, timeslot=ts)
    down += place(ofdm_like(n, fs, 6, rng), -1.1e6 + 1e3, fs, -35)
    down = add_awgn(down, noise, rng)
    t0 = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    with SigMFWriter(path, fs, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description="handset uplink scene; ground truth in the .truth.json file") as w:
        w.write(IQBlock(quantise_cu8(up), 889.0e6, fs, 0, t0, segment=0))
        w.write(IQBlock(quantise_cu8(down), 947.4e6, fs, n, t0 + _dt.timedelta(seconds=0.25), segment=1))
    truth = {"generator": "detector.synth._uplink.write_uplink_scene", "seed": seed, "sample_rate_hz": fs,
             "noise_dbfs_per_200k": -45.0,
             "handsets": [
                 {"tech": "gsm", "freq_hz": 888.2e6, "arfcn": 1015, "band": "GSM900", "timeslot": 3,
                  "burst_power_dbfs": -35.0, "duty_cycle": round(148 / SYMBOL_RATE / TDMA_FRAME_S, 4),
                  "operator_block": "China Mobile E-GSM900", "verdict": "foreign"},
                 {"tech": "lte", "freq_hz": 889.5e6, "n_prb": 4, "bandwidth_hz": 720e3, "subframes": "every 5th",
                  "burst_power_dbfs": -33.0, "duty_cycle": 0.2, "operator_block": "China Mobile B8",
                  "verdict": "foreign"}],
             "not_handsets": ["two 20 us broadband impulses in step 0",
                              "step 1: GSM C0 947.4 MHz, bursty BTS carrier 948.0 MHz, LTE 1.4 MHz downlink"]}
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth
