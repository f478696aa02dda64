"""Spectrum-analysis core: pure functions on numpy arrays (no I/O, no GSM/LTE knowledge).

PSD (`welch_psd`, streaming `PsdAccumulator`), noise floor and CFAR occupancy with a stated
false-alarm probability, emission grouping, channel power on any raster, occupied bandwidth,
RTL-SDR artefact masks (DC spike, band-edge roll-off), narrowband-carrier flattening, frequency shift and
resampling.
"""

from ._floor import (
    Emission,
    cfar_factor,
    channel_power,
    dc_mask,
    edge_mask,
    find_emissions,
    noise_floor,
    occupancy,
    occupied_bandwidth,
)
from ._lagcorr import LagCorrelator, lag_threshold
from ._narrowband import flatten_narrowband
from ._psd import PsdAccumulator, equivalent_averages, to_db, welch_psd
from ._resample import decimate, freq_shift, rational_ratio, resample

__all__ = [
    "Emission",
    "LagCorrelator",
    "PsdAccumulator",
    "cfar_factor",
    "channel_power",
    "dc_mask",
    "decimate",
    "edge_mask",
    "equivalent_averages",
    "find_emissions",
    "flatten_narrowband",
    "freq_shift",
    "lag_threshold",
    "noise_floor",
    "occupancy",
    "occupied_bandwidth",
    "rational_ratio",
    "resample",
    "to_db",
    "welch_psd",
]
