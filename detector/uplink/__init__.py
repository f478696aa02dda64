"""Handset activity: TDMA (GSM) and SC-FDMA (LTE) bursts in uplink bands, attributed to operators' blocks.

Runs on captures whose tuning lies in an FDD uplink band (base stations transmit bursty timeslots too,
so a downlink band is never searched for bursts), and on TDD carriers in the uplink subframes of the
TD-LTE cells the LTE analyzer found in the same tuning (their frame timing and UL/DL configuration).
"""

from ._analyzer import UplinkAnalyzer, handset_record, uplink_bands
from ._bursts import CHANNEL_HZ, WINDOW_S, Burst, BurstDetector, window_threshold
from ._handsets import TDMA_FRAME_S, Handset, Transmission, find_handsets, group_transmissions

__all__ = ["CHANNEL_HZ", "TDMA_FRAME_S", "WINDOW_S", "Burst", "BurstDetector", "Handset", "Transmission",
           "UplinkAnalyzer", "detect_handsets", "find_handsets", "group_transmissions", "handset_record",
           "uplink_bands", "window_threshold"]


def detect_handsets(x, fs: float, fc: float, pfa: float = 1e-4) -> list[Handset]:
    """All handsets in one capture (complex64 samples at `fs`, tuned to `fc`), any band."""
    det = BurstDetector(fs, fc, pfa)
    det.update(x)
    bursts = det.finish()
    return find_handsets(group_transmissions(bursts, det.window_s, det.channels_hz.size, det.fc), det.window_s)
