"""ARFCN <-> downlink frequency for the receiver: `detector.bands` when importable, else a small table.

The fallback covers P/E/R-GSM900 and DCS1800 (TS 45.005 §2): F_dl = 935 + 0.2 n MHz (n = 0..124),
890 + 0.2 (n - 1024) + 45 MHz (n = 940..1023), and 1805.2 + 0.2 (n - 512) MHz (n = 512..885).
"""

from __future__ import annotations

__all__ = ["arfcn_to_freq", "freq_to_channel"]


def _fallback_to_freq(arfcn: int) -> float:
    if 0 <= arfcn <= 124:
        return 935.0e6 + 200e3 * arfcn
    if 940 <= arfcn <= 1023:
        return 935.0e6 + 200e3 * (arfcn - 1024)
    if 512 <= arfcn <= 885:
        return 1805.2e6 + 200e3 * (arfcn - 512)
    raise ValueError(f"ARFCN {arfcn} is in no supported band (0-124, 940-1023 GSM900; 512-885 DCS1800)")


def _fallback_channels(freq_hz: float) -> list[tuple[str, int, float]]:
    out = []
    for lo, hi, band in ((0, 124, "GSM900"), (940, 1023, "GSM900"), (512, 885, "DCS1800")):
        base = _fallback_to_freq(lo)
        k = round((freq_hz - base) / 200e3)
        if 0 <= k <= hi - lo:
            f = base + 200e3 * k
            if abs(freq_hz - f) <= 100e3 + 1e-6:
                out.append((band, lo + k, f))
    return sorted(out, key=lambda c: abs(freq_hz - c[2]))


def arfcn_to_freq(arfcn: int, band: str | None = None) -> float:
    """Downlink carrier frequency (Hz) of an ARFCN; `band` resolves 512-810 (DCS1800 by default)."""
    try:
        from ..bands import gsm_arfcn_to_freq
    except ImportError:
        return _fallback_to_freq(int(arfcn))
    return gsm_arfcn_to_freq(int(arfcn), band)


def freq_to_channel(freq_hz: float) -> tuple[str, int, float] | None:
    """(band, ARFCN, raster frequency in Hz) of the downlink channel nearest `freq_hz`, or None beyond 100 kHz.

    Examples
    --------
    >>> freq_to_channel(953.6087e6)
    ('GSM900', 93, 953600000.0)
    """
    try:
        from ..bands import gsm_channels
    except ImportError:
        chans = _fallback_channels(freq_hz)
        return chans[0] if chans else None
    chans = gsm_channels(freq_hz, "dl", 100e3)
    if not chans:
        return None
    c = chans[0]
    return c.band, c.number, c.freq_hz
