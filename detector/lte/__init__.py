"""LTE cell search (TS 36.211 / 36.212 / 36.331): every cell of a capture, its PCI, timing and MIB.

`search` finds every cell in a window of samples at any rate >= 1.92 MS/s with no prior on the receiver's
crystal error (+-120 ppm): PSS over an offset grid, non-coherent over half-frames, with a threshold set by
the false-alarm probability; ML SSS over FDD/TDD and normal/extended CP; successive cancellation for
co-channel cells; CRS channel estimation, SFBC combining and the full PBCH decoding chain for the MIB; the
TDD UL/DL configuration. `LteAnalyzer` (registered as the ``lte`` pipeline analyzer on import) turns that
into one detection record per cell and tuning; `calibrate` gives the crystal error in ppm.

Layers, bottom up (each a private module with one job):

* `_constants` (numerology at 1.92 MS/s), `_sequences` (PSS, SSS, Gold c(n), CRS), `_coding` (CRC-16 with port
  masks, tail-biting convolutional code and soft Viterbi, rate matching), `_mib` (MIB fields);
* `_resample` (any rate to 1.92 MS/s), `_ofdm` (demodulation, cell timing), `_pss`, `_sss`, `_crs`,
  `_pbch`, `_tdd`;
* `_search` (the chain), `_calibrate` (crystal error), `_analyzer` (records).

Examples
--------
>>> from detector.lte import parse_mib, encode_mib
>>> parse_mib(encode_mib(50, "normal", "1", sfn=28))["n_rb_dl"]
50
"""

from ._analyzer import LteAnalyzer, cell_record, lte_bands_in_capture
from ._calibrate import LteCalibration, calibrate, calibrate_blocks
from ._coding import PORT_MASKS, conv_encode, crc16, rate_dematch, rate_match, viterbi_tailbiting
from ._mib import encode_mib, parse_mib
from ._ofdm import CellTiming
from ._pbch import MibResult, decode_pbch
from ._search import LteCell, SearchConfig, carrier_raster, lte_reach_hz, search, search_baseband
from ._sequences import gold, pss, sss, sss_indices
from ._tdd import TddResult, slot_energy, tdd_config

__all__ = [
    "CellTiming",
    "LteAnalyzer",
    "LteCell",
    "MibResult",
    "PORT_MASKS",
    "SearchConfig",
    "TddResult",
    "LteCalibration",
    "calibrate",
    "calibrate_blocks",
    "carrier_raster",
    "cell_record",
    "conv_encode",
    "crc16",
    "decode_pbch",
    "encode_mib",
    "gold",
    "lte_bands_in_capture",
    "lte_reach_hz",
    "parse_mib",
    "pss",
    "rate_dematch",
    "rate_match",
    "search",
    "search_baseband",
    "slot_energy",
    "sss",
    "sss_indices",
    "tdd_config",
    "viterbi_tailbiting",
]
