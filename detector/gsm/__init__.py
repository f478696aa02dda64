"""GSM receiver (TS 45.002 / 45.003 / 45.004 / 44.018): every C0 carrier of a capture, its SCH and System Information.

`receive` finds every BCCH carrier (C0) in a window of samples at any rate (0.5-3.2 MS/s) with no prior on the
receiver's crystal error, decodes its SCH (BSIC, frame number) and its BCCH System Information (MCC, MNC, LAC,
CI, neighbours in every frequency-list format, 3G/LTE neighbours from SI2quater). `GsmAnalyzer` (registered
as the ``gsm`` pipeline analyzer on import) turns that into one detection record per carrier and tuning;
`calibrate` / `calibrate_blocks` give the receiver's crystal error in ppm from the FCCH bursts.

Layers, bottom up (each a private module with one job):

* `_constants` (burst layouts, training sequences), `_coding` (convolutional code and soft Viterbi,
  Fire and SCH parity, xCCH interleaving; checked against libosmocore's vectors), `_freqlist` and
  `_sysinfo` (System Information and its frequency lists), `_schinfo` (BSIC and frame number);
* `_gmsk` (modulator, used by the generator), `_channelizer` (channel extraction at arbitrary instants),
  `_fcch` (wideband FCCH search), `_burst` (channel estimate and soft-output MLSE);
* `_receiver`, `_calibrate`, `_analyzer`, `_gsmtap` (Wireshark output), `_arfcn` (channel numbers, from
  `detector.bands`).

Examples
--------
>>> from detector.gsm import parse_si
>>> parse_si(bytes.fromhex("49061b3b2d72f2203aa8") + bytes(13))["cell_id"]
15149
"""

from ._analyzer import GsmAnalyzer, cell_record
from ._calibrate import CalibrationResult, calibrate, calibrate_blocks
from ._fcch import fcch_search
from ._freqlist import decode_freq_list, encode_freq_list
from ._gsmtap import GsmtapSender
from ._receiver import CarrierResult, ReceiverConfig, receive
from ._sysinfo import MESSAGE_TYPES, SysInfoError, encode_lai, parse_lai, parse_si

__all__ = [
    "CalibrationResult",
    "CarrierResult",
    "GsmAnalyzer",
    "GsmtapSender",
    "MESSAGE_TYPES",
    "ReceiverConfig",
    "SysInfoError",
    "calibrate",
    "calibrate_blocks",
    "cell_record",
    "decode_freq_list",
    "encode_freq_list",
    "encode_lai",
    "fcch_search",
    "parse_lai",
    "parse_si",
    "receive",
]
