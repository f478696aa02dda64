"""The value types every numbering module returns, and the argument checks they share."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Channel", "BandInfo", "TECHS", "LINKS", "check_link", "check_freq", "check_tol", "check_int"]

TECHS = ("gsm", "umts", "lte", "nr")
LINKS = ("dl", "ul")


@dataclass(frozen=True)
class Channel:
    """A channel number of one technology and band, at its exact raster frequency.

    Attributes
    ----------
    tech : str
        ``"gsm"``, ``"umts"``, ``"lte"`` or ``"nr"``.
    band : str
        Band name (see `band_names`): ``"GSM900"``, ``"DCS1800"``, ``"UMTS-1"``, ``"B3"``, ``"n78"``.
        All 900 MHz GSM channels (P-, E-, R- and ER-GSM) are ``"GSM900"``; `gsm_subband` gives the
        narrowest TS 45.005 band of an ARFCN.
    number : int
        ARFCN, UARFCN, EARFCN or NR-ARFCN.
    freq_hz : float
        Exact raster (carrier) frequency of `number` on `link`, in Hz.
    link : str
        ``"dl"`` (base station transmits) or ``"ul"`` (handset transmits).
    duplex : str
        Frame structure the receiver sees: ``"fdd"`` or ``"tdd"``. GSM and UMTS are always
        ``"fdd"``; an LTE/NR supplemental-downlink band (`BandInfo.duplex` ``"sdl"``) carries an FDD
        downlink, so its channels say ``"fdd"``.
    offset_hz : float
        The frequency asked about minus `freq_hz` (0.0 when the channel was looked up by number).
    """

    tech: str
    band: str
    number: int
    freq_hz: float
    link: str
    duplex: str
    offset_hz: float = 0.0


@dataclass(frozen=True)
class BandInfo:
    """Edges and channel numbers of one operating band.

    Attributes
    ----------
    name : str
        Canonical name (``"GSM900"``, ``"E-GSM900"``, ``"UMTS-8"``, ``"B39"``, ``"n78"``).
    tech : str
        ``"gsm"``, ``"umts"``, ``"lte"`` or ``"nr"``.
    duplex : str
        ``"fdd"``, ``"tdd"`` (uplink and downlink share the range) or ``"sdl"`` (downlink only).
    dl_low_hz, dl_high_hz : float
        Downlink band edges in Hz (TDD: the band).
    ul_low_hz, ul_high_hz : float or None
        Uplink band edges in Hz (TDD: equal to the downlink edges; SDL: None).
    dl_numbers, ul_numbers : tuple of (int, int)
        Inclusive ranges of channel numbers on each link (TDD: equal).
    spec : str
        The clause and table the numbers come from.
    """

    name: str
    tech: str
    duplex: str
    dl_low_hz: float
    dl_high_hz: float
    ul_low_hz: float | None
    ul_high_hz: float | None
    dl_numbers: tuple[tuple[int, int], ...]
    ul_numbers: tuple[tuple[int, int], ...]
    spec: str

    def edges(self, link: str) -> tuple[float, float] | None:
        """(low, high) edges in Hz of `link` (``"dl"`` or ``"ul"``), or None when the band has no such link."""
        check_link(link)
        if link == "dl":
            return (self.dl_low_hz, self.dl_high_hz)
        if self.ul_low_hz is None or self.ul_high_hz is None:
            return None
        return (self.ul_low_hz, self.ul_high_hz)

    def contains(self, freq_hz: float, link: str | None = None) -> bool:
        """True when `freq_hz` lies within the band edges (inclusive) on `link`, or on either link if None."""
        links = LINKS if link is None else (check_link(link),)
        for lk in links:
            e = self.edges(lk)
            if e is not None and e[0] <= freq_hz <= e[1]:
                return True
        return False


def check_link(link: str) -> str:
    """Return `link` if it is ``"dl"`` or ``"ul"``; raise ValueError naming the allowed values otherwise."""
    if link not in LINKS:
        raise ValueError(f"link must be 'dl' or 'ul', not {link!r}")
    return link


def check_freq(freq_hz: float, name: str = "freq_hz") -> float:
    """Return `freq_hz` as a float if it is a finite positive number of Hz; raise otherwise."""
    if isinstance(freq_hz, (bool, str, bytes)):
        raise TypeError(f"{name} must be a number of Hz, not {type(freq_hz).__name__} ({freq_hz!r})")
    try:
        f = float(freq_hz)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number of Hz, not {type(freq_hz).__name__}") from None
    if not math.isfinite(f) or f <= 0.0:
        raise ValueError(f"{name} must be a finite positive frequency in Hz, not {freq_hz!r}")
    return f


def check_tol(tol_hz: float) -> float:
    """Return `tol_hz` as a float if it is finite and >= 0; raise ValueError otherwise."""
    t = float(tol_hz)
    if not math.isfinite(t) or t < 0.0:
        raise ValueError(f"tol_hz must be a finite tolerance >= 0 Hz, not {tol_hz!r}")
    return t


def check_int(number: int, name: str) -> int:
    """Return `number` if it is an integer (not bool, not float); raise TypeError otherwise."""
    if isinstance(number, bool) or not isinstance(number, int):
        try:
            import numpy as np  # numpy integers are fine

            if isinstance(number, np.integer):
                return int(number)
        except ImportError:  # pragma: no cover - numpy is a dependency
            pass
        raise TypeError(f"{name} must be an int, not {type(number).__name__} ({number!r})")
    return number


def fmt_ranges(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    """``((0, 124), (975, 1023))`` -> ``"0-124, 975-1023"``."""
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in ranges)
