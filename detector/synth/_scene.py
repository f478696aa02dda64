"""Tones in noise, quantised like an RTL-SDR, written as a SigMF sweep with its ground truth."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass

import numpy as np

from ..sources import IQBlock, from_complex64, to_complex64
from ..sources._sigmf_writer import SigMFWriter

__all__ = ["Tone", "tone", "add_awgn", "quantise_cu8", "write_tone_sweep"]


@dataclass(frozen=True)
class Tone:
    """A continuous-wave carrier: absolute RF frequency (Hz) and power (dBFS, 0 = full-scale tone)."""

    freq_hz: float
    power_dbfs: float


def tone(num_samples: int, offset_hz: float, sample_rate_hz: float, power_dbfs: float = 0.0,
         phase_rad: float = 0.0) -> np.ndarray:
    """A complex exponential at `offset_hz` from DC with mean power `power_dbfs` (complex64).

    Examples
    --------
    >>> x = tone(1000, 1e3, 1e6, -6.0)
    >>> round(float(10 * np.log10(np.mean(np.abs(x) ** 2))), 3)
    -6.0
    """
    n = np.arange(num_samples, dtype=np.float64)
    amp = 10 ** (power_dbfs / 20)
    return (amp * np.exp(1j * (2 * np.pi * offset_hz / sample_rate_hz * n + phase_rad))).astype(np.complex64)


def add_awgn(x: np.ndarray, noise_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    """Return `x` plus circular white Gaussian noise of total power `noise_dbfs` over the full band."""
    sigma = np.sqrt(10 ** (noise_dbfs / 10) / 2)
    noise = rng.standard_normal((x.size, 2), dtype=np.float32) * np.float32(sigma)
    return (x + noise.view(np.complex64)[:, 0]).astype(np.complex64)


def quantise_cu8(x: np.ndarray) -> np.ndarray:
    """Quantise to the RTL-SDR's unsigned 8-bit grid and back (clipping at full scale), complex64."""
    return to_complex64(from_complex64(x, "cu8"), "cu8")


def write_tone_sweep(path: str, center_freqs_hz: list[float], tones: list[Tone], sample_rate_hz: float = 2.4e6,
                     duration_s: float = 0.1, noise_dbfs: float = -30.0, seed: int = 1,
                     start: _dt.datetime | None = None) -> dict:
    """Write a cu8 SigMF sweep: one captures segment per centre frequency, each holding the tones in band.

    Parameters
    ----------
    path : str
        Output recording (``.sigmf-meta`` pair); its ground truth goes to ``<base>.truth.json``.
    center_freqs_hz : list of float
        Tuning of each step (Hz).
    tones : list of Tone
        Carriers at absolute RF frequencies; each appears in every step whose band holds it.
    sample_rate_hz, duration_s : float
        Per step.
    noise_dbfs : float
        AWGN power over the whole sampled band (dBFS).
    seed : int
        Seed of the noise and tone phases.

    Returns
    -------
    dict
        The ground truth written beside the recording.
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sample_rate_hz))
    start = start or _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    truth = {"generator": "detector.synth.write_tone_sweep", "seed": seed, "sample_rate_hz": sample_rate_hz,
             "noise_dbfs": noise_dbfs, "duration_s_per_step": duration_s, "steps": []}
    with SigMFWriter(path, sample_rate_hz, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description="CW tones in AWGN, cu8-quantised; ground truth in the .truth.json file") as w:
        for i, fc in enumerate(center_freqs_hz):
            x = np.zeros(n, np.complex64)
            present = []
            for t in tones:
                off = t.freq_hz - fc
                if abs(off) < sample_rate_hz / 2:
                    x += tone(n, off, sample_rate_hz, t.power_dbfs, rng.uniform(0, 2 * np.pi))
                    present.append({**asdict(t), "offset_hz": off})
            x = add_awgn(x, noise_dbfs, rng)
            t0 = start + _dt.timedelta(seconds=i * duration_s)
            w.write(IQBlock(x, fc, sample_rate_hz, i * n, t0, segment=i))
            truth["steps"].append({"center_freq_hz": fc, "tones": present})
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth
