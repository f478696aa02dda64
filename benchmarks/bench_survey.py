"""Survey benchmark rows: PSD + occupancy throughput and the wall time of a 35 MHz sweep survey."""

from __future__ import annotations

import datetime as _dt
import os
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REALTIME_SPS = 2.4e6


def psd_occupancy_rate(seconds: float = 4.0, bin_hz: float = 5e3, overlap: float = 0.5) -> tuple[float, float]:
    """Feed `seconds` of 2.4 MS/s noise (2**18-sample blocks) through the survey's PSD and CFAR.

    Returns (MS/s, multiple of real time).
    """
    from detector.sources import IQBlock
    from detector.survey import SurveyAccumulator, SurveyConfig

    rng = np.random.default_rng(0)
    block = (rng.standard_normal((1 << 18, 2), dtype=np.float32) * 0.01).view(np.complex64)[:, 0]
    t0 = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    nblocks = int(seconds * REALTIME_SPS / block.size)
    acc = SurveyAccumulator(SurveyConfig(bin_hz=bin_hz, overlap=overlap))
    start = time.perf_counter()
    for k in range(nblocks):
        acc.update(IQBlock(block, 947e6, REALTIME_SPS, k * block.size, t0, segment=0))
    acc.finish()
    wall = time.perf_counter() - start
    msps = nblocks * block.size / wall / 1e6
    return msps, msps * 1e6 / REALTIME_SPS


def dsp_psd_cfar_rate(seconds: float = 4.0, nfft: int = 512, overlap: float = 0.5) -> tuple[float, float]:
    """The bare dsp core: streaming Welch PSD of 2.4 MS/s noise in 2**18-sample blocks, then the noise floor
    and CFAR occupancy. Returns (MS/s, multiple of real time)."""
    from detector.dsp import PsdAccumulator, noise_floor, occupancy

    rng = np.random.default_rng(0)
    block = (rng.standard_normal((1 << 18, 2), dtype=np.float32) * 0.01).view(np.complex64)[:, 0]
    nblocks = int(seconds * REALTIME_SPS / block.size)
    acc = PsdAccumulator(REALTIME_SPS, nfft, "hann", overlap)
    start = time.perf_counter()
    for _ in range(nblocks):
        acc.update(block)
    p = acc.psd()
    k = acc.equivalent_averages()
    occupancy(p, k, 1e-6, floor=noise_floor(p, k))
    wall = time.perf_counter() - start
    msps = nblocks * block.size / wall / 1e6
    return msps, msps * 1e6 / REALTIME_SPS


def survey_wall_time(path: str | None = None) -> tuple[float, int, float]:
    """Wall time (s) of a whole survey of the bundled 35 MHz E-GSM sweep recording, its steps and span (MHz)."""
    from detector.sources import open_recording
    from detector.survey import SurveyConfig, survey

    path = path or os.path.join(ROOT, "recordings", "survey_egsm_sweep.sigmf-meta")
    start = time.perf_counter()
    with open_recording(path) as src:
        res = survey(src.blocks(), SurveyConfig())
    wall = time.perf_counter() - start
    return wall, len(res.hops), (res.freqs_hz[-1] - res.freqs_hz[0]) / 1e6


def rows() -> list[tuple]:
    """(benchmark, input, MS/s, x real time, extra) rows for the table."""
    out = []
    for overlap in (0.5, 0.0):
        msps, rt = dsp_psd_cfar_rate(overlap=overlap)
        out.append(("dsp PSD+CFAR", "2.4 MS/s noise", f"{msps:.1f}", f"{rt:.1f}",
                    f"Hann, overlap {overlap:g}, 512 bins of 4.7 kHz, 1 core"))
    for overlap in (0.5, 0.0):
        msps, rt = psd_occupancy_rate(overlap=overlap)
        out.append(("survey per step", "2.4 MS/s noise", f"{msps:.1f}", f"{rt:.1f}",
                    f"PSD+CFAR+DC repair+LTE cyclic-prefix test, overlap {overlap:g}"))
    wall, steps, span = survey_wall_time()
    return out + [
            ("survey 35 MHz", f"{steps} steps", "", "", f"wall {wall:.2f} s for {span:.1f} MHz")]
