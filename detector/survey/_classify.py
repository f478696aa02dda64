"""Emission classification by spectral shape: which analyzer to run where.

Features of an emission's averaged spectrum (bin-scaled, noise floor known):

* 99 % occupied bandwidth (ITU-R SM.328);
* flatness: spread (std, dB) of the bins over the middle 60 % of the emission;
* edge width: how far the spectrum takes to fall from -3 dB to -20 dB relative to its mean level.

Shapes (facts from TS 45.004/45.005, TS 25.104, TS 36.104):

=========  =====================================================  ======================================
class      signature                                              numbers
=========  =====================================================  ======================================
gsm        GMSK BT 0.3, 270.833 kbit/s: a rounded hump            99 % OBW about 250 kHz (120-330 kHz)
lte        OFDM, 15 kHz subcarriers: flat top, abrupt edges       OBW 0.9 x {1.4,3,5,10,15,20} MHz
umts       3.84 Mcps, RRC roll-off 0.22: flat top, soft edges     OBW about 4.2 MHz, edges ~0.4 MHz wide
nr         OFDM wider than any LTE carrier                        flat, OBW > 20 MHz
narrowband anything under 60 kHz (CW, telemetry, spurs)
unknown    none of the above
=========  =====================================================  ======================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dsp import occupied_bandwidth

__all__ = ["ShapeFeatures", "shape_features", "classify_shape", "analyzers_for", "LTE_BANDWIDTHS_HZ",
           "SHAPE_ANALYZERS"]

#: Which receiver decodes each emission class (UMTS and NR have none yet: they stay emissions).
SHAPE_ANALYZERS = {"gsm": "gsm", "lte": "lte"}

#: LTE channel bandwidths (TS 36.101 Table 5.6-1) and their occupied width (N_RB x 180 kHz).
LTE_BANDWIDTHS_HZ = {1.4e6: 1.08e6, 3e6: 2.7e6, 5e6: 4.5e6, 10e6: 9e6, 15e6: 13.5e6, 20e6: 18e6}


@dataclass(frozen=True)
class ShapeFeatures:
    """Measured shape of one emission (Hz and dB)."""

    obw_hz: float
    flatness_db: float
    edge_width_hz: float
    peak_to_mean_db: float


def shape_features(freqs_hz: np.ndarray, psd: np.ndarray, floor, lo_hz: float, hi_hz: float) -> ShapeFeatures:
    """Measure an emission between `lo_hz` and `hi_hz` on a bin-scaled spectrum with noise `floor`."""
    f = np.asarray(freqs_hz, np.float64)
    df = float(f[1] - f[0])
    margin = max(0.25 * (hi_hz - lo_hz), 4 * df)
    sel = (f >= lo_hz - margin) & (f <= hi_hz + margin)
    fl = np.broadcast_to(np.asarray(floor, np.float64), f.shape)[sel]
    sig = np.clip(np.asarray(psd, np.float64)[sel] - fl, 1e-30, None)
    obw = occupied_bandwidth(f[sel], sig, 0.99)
    inner = (f[sel] >= lo_hz + 0.2 * (hi_hz - lo_hz)) & (f[sel] <= hi_hz - 0.2 * (hi_hz - lo_hz))
    core = sig[inner] if inner.sum() >= 3 else sig
    core_db = 10 * np.log10(core)
    flat = float(np.std(core_db))
    mean_db = 10 * np.log10(np.mean(core))
    rel = 10 * np.log10(sig) - mean_db
    above3 = np.nonzero(rel >= -3)[0]
    above20 = np.nonzero(rel >= -20)[0]
    if above3.size and above20.size:
        edge = 0.5 * ((above3[0] - above20[0]) + (above20[-1] - above3[-1])) * df
    else:
        edge = 0.0
    return ShapeFeatures(float(obw), flat, float(edge), float(10 * np.log10(sig.max()) - mean_db))


def classify_shape(feat: ShapeFeatures) -> tuple[str, float | None]:
    """Class name and nominal channel bandwidth (Hz, when the class has one) from `ShapeFeatures`.

    Examples
    --------
    >>> classify_shape(ShapeFeatures(250e3, 3.0, 40e3, 2.0))
    ('gsm', 200000.0)
    >>> classify_shape(ShapeFeatures(4.5e6, 0.8, 30e3, 1.0))
    ('lte', 5000000.0)
    >>> classify_shape(ShapeFeatures(4.2e6, 0.8, 350e3, 1.0))
    ('umts', 5000000.0)
    >>> classify_shape(ShapeFeatures(38e6, 0.9, 40e3, 1.0)), classify_shape(ShapeFeatures(20e3, 0.1, 1e3, 0.1))
    (('nr', None), ('narrowband', None))
    >>> classify_shape(ShapeFeatures(700e3, 4.0, 100e3, 6.0))  # neither flat nor GSM-sized
    ('unknown', None)
    """
    obw, flat, edge = feat.obw_hz, feat.flatness_db, feat.edge_width_hz
    if obw < 60e3:
        return "narrowband", None
    if 120e3 <= obw <= 330e3:
        return "gsm", 200e3
    if flat <= 2.5:
        if 3.9e6 <= obw <= 4.45e6 and edge >= 150e3:
            return "umts", 5e6
        for bw, occupied in LTE_BANDWIDTHS_HZ.items():
            if abs(obw - occupied) <= 0.08 * occupied:
                return "lte", bw
        if obw > 20e6:
            return "nr", None
    return "unknown", None


def analyzers_for(emissions) -> list[tuple[str, float, float]]:
    """(analyzer name, centre Hz, bandwidth Hz) for every emission a receiver can decode, by its class.

    Examples
    --------
    >>> from types import SimpleNamespace as E
    >>> analyzers_for([E(shape="gsm", center_hz=947.4e6, obw_hz=250e3), E(shape="umts", center_hz=1e9, obw_hz=4e6)])
    [('gsm', 947400000.0, 250000.0)]
    """
    return [(SHAPE_ANALYZERS[e.shape], float(e.center_hz), float(e.obw_hz)) for e in emissions
            if e.shape in SHAPE_ANALYZERS]
