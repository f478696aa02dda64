"""Emission-shaped test signals: the *spectral shape* of GSM, LTE and UMTS downlinks, nothing more.

These are stand-ins for the survey's shape classifier and for demos: random data on the right
modulation and bandwidth (GMSK BT 0.3 at 270.833 kbit/s; OFDM at 15 kHz on N_RB x 12 subcarriers;
QPSK at 3.84 Mcps through a root-raised-cosine of roll-off 0.22). They carry no frame structure:
the standards-conformant generators live beside the receivers' synth modules.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from ..dsp import freq_shift, resample

__all__ = ["SURVEY_EGSM_EMITTERS", "gmsk_like", "ofdm_like", "rrc_taps", "scale_to_dbfs", "wcdma_like",
           "write_emission_sweep"]

GSM_SYMBOL_RATE = 1625000 / 6  # TS 45.004 / 45.010: 270.833 kbit/s


def scale_to_dbfs(x: np.ndarray, power_dbfs: float) -> np.ndarray:
    """Scale `x` to mean power `power_dbfs` (0 dBFS = |x|^2 of 1)."""
    p = np.mean(np.abs(x) ** 2)
    return (x * np.sqrt(10 ** (power_dbfs / 10) / p)).astype(np.complex64)


def gmsk_like(num_samples: int, fs: float, rng: np.random.Generator, bt: float = 0.3) -> np.ndarray:
    """Random-data GMSK (h = 0.5, Gaussian BT = `bt`) at any sample rate, unit power, complex64."""
    sps = fs / GSM_SYMBOL_RATE
    nsym = int(np.ceil(num_samples / sps)) + 8
    bits = rng.choice([-1.0, 1.0], nsym)
    idx = np.minimum((np.arange(num_samples) / sps).astype(int), nsym - 1)
    nrz = bits[idx]
    sigma = np.sqrt(np.log(2)) / (2 * np.pi * bt) * sps  # Gaussian std in samples
    half = int(np.ceil(4 * sigma))
    g = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    freq = np.convolve(nrz, g / g.sum(), mode="same")
    phase = np.cumsum(freq) * (np.pi / 2) / sps  # h = 0.5: pi/2 per symbol
    return np.exp(1j * phase).astype(np.complex64)


def ofdm_like(num_samples: int, fs: float, n_rb: int, rng: np.random.Generator) -> np.ndarray:
    """Random QPSK on 12 * `n_rb` subcarriers at 15 kHz (DC unused, normal CP), resampled to `fs`; unit power."""
    nfft = 128
    while nfft < 12 * n_rb * 1.2:
        nfft *= 2
    base = nfft * 15e3
    nsub = 12 * n_rb
    k = np.r_[-nsub // 2: 0, 1: nsub // 2 + 1]
    cp = nfft * 144 // 2048
    nsym = int(np.ceil(num_samples * base / fs / (nfft + cp))) + 2
    grid = np.zeros((nsym, nfft), np.complex64)
    grid[:, k % nfft] = (rng.choice([-1, 1], (nsym, nsub)) + 1j * rng.choice([-1, 1], (nsym, nsub))) / np.sqrt(2)
    t = np.fft.ifft(grid, axis=1)
    t = np.concatenate([t[:, -cp:], t], axis=1).ravel().astype(np.complex64)
    y = resample(t, base, fs) if abs(base - fs) > 1e-6 else t
    return scale_to_dbfs(y[:num_samples], 0.0)


def rrc_taps(sps: int, beta: float, span: int = 16) -> np.ndarray:
    """Root-raised-cosine taps, `span` symbols long, unit energy."""
    t = np.arange(-span * sps // 2, span * sps // 2 + 1) / sps
    h = np.empty_like(t)
    for i, ti in enumerate(t):
        if abs(ti) < 1e-12:
            h[i] = 1 + beta * (4 / np.pi - 1)
        elif beta and abs(abs(ti) - 1 / (4 * beta)) < 1e-9:
            h[i] = beta / np.sqrt(2) * ((1 + 2 / np.pi) * np.sin(np.pi / (4 * beta))
                                         + (1 - 2 / np.pi) * np.cos(np.pi / (4 * beta)))
        else:
            h[i] = (np.sin(np.pi * ti * (1 - beta)) + 4 * beta * ti * np.cos(np.pi * ti * (1 + beta))) / (
                np.pi * ti * (1 - (4 * beta * ti) ** 2))
    return h / np.sqrt(np.sum(h**2))


def wcdma_like(num_samples: int, fs: float, rng: np.random.Generator, chip_rate: float = 3.84e6,
               beta: float = 0.22) -> np.ndarray:
    """Random QPSK chips at `chip_rate` through an RRC (roll-off `beta`), resampled to `fs`; unit power."""
    sps = 8
    base = chip_rate * sps
    nchips = int(np.ceil(num_samples * base / fs / sps)) + 32
    chips = (rng.choice([-1, 1], nchips) + 1j * rng.choice([-1, 1], nchips)) / np.sqrt(2)
    up = np.zeros(nchips * sps, np.complex64)
    up[::sps] = chips
    y = signal.lfilter(rrc_taps(sps, beta), 1.0, up).astype(np.complex64)
    y = resample(y, base, fs)
    return scale_to_dbfs(y[16 * sps: 16 * sps + num_samples], 0.0)


def place(x: np.ndarray, offset_hz: float, fs: float, power_dbfs: float) -> np.ndarray:
    """Shift `x` to `offset_hz` from DC and scale it to `power_dbfs`."""
    return freq_shift(scale_to_dbfs(x, power_dbfs), offset_hz, fs)


def write_emission_sweep(path: str, lo_hz: float, hi_hz: float, emitters: list[dict], sample_rate_hz: float = 2.4e6,
                         dwell_s: float = 0.025, crop: float = 0.2, noise_dbfs_per_200k: float = -55.0,
                         seed: int = 1, centers_hz: list[float] | None = None) -> dict:
    """Write a cu8 SigMF sweep over [lo, hi] (steps from `plan_hops`, or at `centers_hz`) holding shape-true
    emitters.

    Parameters
    ----------
    emitters : list of dict
        ``{"shape": "gsm"|"lte"|"umts"|"cw", "freq_hz": centre, "power_dbfs": total power, "n_rb": 25}``
        (``n_rb`` for LTE: 6/15/25/50/75/100).
    noise_dbfs_per_200k : float
        AWGN level in any 200 kHz of the band (dBFS).

    Returns
    -------
    dict
        The ground truth, also written to ``<base>.truth.json``.
    """
    import datetime as _dt
    import json

    from ..sources import IQBlock
    from ..sources._sigmf_writer import SigMFWriter
    from ..survey import plan_hops
    from ._scene import add_awgn, quantise_cu8

    rng = np.random.default_rng(seed)
    n = int(round(dwell_s * sample_rate_hz))
    hops = list(centers_hz) if centers_hz is not None else plan_hops(lo_hz, hi_hz, sample_rate_hz, crop)
    width = {"gsm": 200e3, "umts": 5e6, "cw": 0.0}
    t0 = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    with SigMFWriter(path, sample_rate_hz, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description="emission-shaped signals (GSM/LTE/UMTS/CW spectra) in a sweep; "
                                 "ground truth in the .truth.json file") as w:
        for i, fc in enumerate(hops):
            x = np.zeros(n, np.complex64)
            for e in emitters:
                half = (e.get("n_rb", 0) * 180e3 if e["shape"] == "lte" else width[e["shape"]]) / 2
                if abs(e["freq_hz"] - fc) - half >= sample_rate_hz / 2:
                    continue
                fs_gen = sample_rate_hz
                if e["shape"] == "gsm":
                    sig = gmsk_like(n, fs_gen, rng)
                elif e["shape"] == "lte":
                    # generate the whole block wide enough, then shift into this step's view
                    fs_gen = max(sample_rate_hz, 1.92e6 * 2 ** int(np.ceil(np.log2(max(e["n_rb"] * 180e3 * 1.2,
                                                                                        1.92e6) / 1.92e6))))
                    sig = ofdm_like(int(n * fs_gen / sample_rate_hz) + 64, fs_gen, e["n_rb"], rng)
                elif e["shape"] == "umts":
                    fs_gen = 7.68e6
                    sig = wcdma_like(int(n * fs_gen / sample_rate_hz) + 64, fs_gen, rng)
                else:
                    sig = np.ones(n, np.complex64)
                sig = place(sig, e["freq_hz"] - fc, fs_gen, e["power_dbfs"])
                if fs_gen != sample_rate_hz:
                    sig = resample(sig, fs_gen, sample_rate_hz)
                x += sig[:n]
            x = add_awgn(x, noise_dbfs_per_200k + 10 * np.log10(sample_rate_hz / 200e3), rng)
            w.write(IQBlock(quantise_cu8(x), fc, sample_rate_hz, i * n, t0 + _dt.timedelta(seconds=i * dwell_s),
                            segment=i))
    truth = {"generator": "detector.synth._shapes.write_emission_sweep", "seed": seed, "lo_hz": lo_hz,
             "hi_hz": hi_hz, "sample_rate_hz": sample_rate_hz, "dwell_s": dwell_s, "crop": crop,
             "noise_dbfs_per_200k": noise_dbfs_per_200k, "steps_hz": hops, "emitters": emitters}
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth


#: The emitters of the bundled survey sweep (``detector synth survey-egsm``, recordings/make_recordings.py).
SURVEY_EGSM_EMITTERS = [
    {"shape": "gsm", "freq_hz": 935.2e6, "power_dbfs": -30.0},
    {"shape": "gsm", "freq_hz": 935.6e6, "power_dbfs": -38.0},
    {"shape": "gsm", "freq_hz": 947.4e6, "power_dbfs": -25.0},
    {"shape": "gsm", "freq_hz": 948.2e6, "power_dbfs": -33.0},
    {"shape": "gsm", "freq_hz": 957.8e6, "power_dbfs": -35.0},
    {"shape": "lte", "freq_hz": 940.0e6, "power_dbfs": -22.0, "n_rb": 25},
    {"shape": "umts", "freq_hz": 952.4e6, "power_dbfs": -24.0},
    {"shape": "cw", "freq_hz": 929.0e6, "power_dbfs": -40.0},
]
