"""Handsets on a TDD LTE carrier: energy in the uplink subframes of the carrier's UL/DL configuration.

A TD-LTE base station transmits only in its downlink subframes and the DwPTS of its special subframes
(TS 36.211 §4.2, Table 4.2-2); the uplink subframes and the guard period (GP) are silent unless a handset
transmits. Given the downlink's radio-frame timing (from PSS/SSS, `detector.lte`) and its configuration,
every uplink subframe is cut into tiles of one PRB (180 kHz) x one subframe (1 ms) over the part of the
carrier the capture sees, and each tile's power is compared with the noise measured in the guard period.

* Noise: in each special subframe the 14 symbol-long chunks (71.4 us, normal CP) are averaged over all
  frames; the weakest chunk between the shortest DwPTS (3 symbols) and the longest UpPTS (2 symbols)
  is the guard period, whatever the special-subframe configuration: its in-band power density is the
  noise floor. The same density measured in the downlink subframes gives the cell's SNR as a check that
  the timing is right (a GP as strong as the downlink means it is not).
* Steady emitters: the guard-period symbol is also measured PRB by PRB; a PRB whose floor there is above
  the noise (the RTL-SDR's DC spur, a CW interferer) is judged against its own floor, so a signal that
  never stops is not a handset.
* Detection: a tile of ``n`` periodogram bins of white noise has a mean power ~ Gamma(n, noise/n); a tile
  is active above the Gamma quantile for the per-tile false-alarm probability `pfa` (default 1e-6) plus
  a 0.3 dB margin for the noise estimate. A handset needs active tiles in at least two uplink subframes
  (random single tiles are noise; an hour of 1.92 MS/s holds ~2e7 tiles).
* Handsets: active PRBs grouped into contiguous runs of the union over subframes; each run is one
  handset record (a TD-LTE cell schedules several handsets in disjoint PRBs).

Units: Hz, seconds, samples; powers linear (full scale = 1) unless named ``_dbfs`` / ``_db``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["UL_DL_CONFIGURATIONS", "TddHandset", "tdd_uplink_handsets", "PRB_HZ"]

#: TS 36.211 Table 4.2-2: subframes 0-9 of each configuration (D downlink, S special, U uplink).
UL_DL_CONFIGURATIONS = {0: "DSUUUDSUUU", 1: "DSUUDDSUUD", 2: "DSUDDDSUDD", 3: "DSUUUDDDDD", 4: "DSUUDDDDDD",
                        5: "DSUDDDDDDD", 6: "DSUUUDSUUD"}
PRB_HZ = 180e3
SUBFRAME_S = 1e-3
FRAME_S = 10e-3
#: Seconds left out at each end of an uplink subframe (timing advance and timing error).
EDGE_S = 35e-6
#: Shortest DwPTS and longest UpPTS in symbols (TS 36.211 Table 4.2-1, normal CP): the GP lies between.
_DWPTS_MIN, _UPPTS_MAX = 3, 2


@dataclass
class TddHandset:
    """One handset (or one scheduled allocation) seen in the uplink subframes of a TDD carrier.

    Frequencies are offsets from the tuning (Hz); times from the first sample analysed (s); `power` is the
    mean power (linear, full scale 1) over the active tiles of the allocation, `noise` the noise power in
    the same bandwidth.
    """

    lo_hz: float
    hi_hz: float
    subframes: list = field(default_factory=list)  # (frame index, subframe number) with activity
    ul_subframes: int = 0  # uplink subframes examined
    power: float = 0.0
    noise: float = 0.0
    first_s: float = 0.0
    last_s: float = 0.0

    tech = "lte"

    @property
    def center_hz(self) -> float:
        return 0.5 * (self.lo_hz + self.hi_hz)

    @property
    def bursts(self) -> int:
        return len(self.subframes)

    @property
    def snr_db(self) -> float:
        return float(10 * np.log10(max(self.power - self.noise, 1e-30) / max(self.noise, 1e-30)))

    def duty_cycle(self, observed_s: float | None = None) -> float:
        """Fraction of the uplink subframes examined in which the handset transmitted."""
        return len(self.subframes) / self.ul_subframes if self.ul_subframes else 0.0


def _tile_threshold(n_bins: int, pfa: float) -> float:
    """Threshold on a tile's mean power over the noise density for a per-tile false-alarm probability."""
    from scipy.special import gammainccinv

    return float(gammainccinv(n_bins, pfa) / n_bins) * 10 ** (0.3 / 10)  # upper Gamma(n, 1/n) quantile


def _prb_mean_matrix(prb: np.ndarray, n_prb: int) -> np.ndarray:
    """(bins, n_prb) matrix averaging the bins of each PRB: ``spectra @ M`` is the mean per PRB."""
    m = np.zeros((prb.size, n_prb))
    m[np.arange(prb.size), prb] = 1.0
    return m / np.maximum(m.sum(axis=0), 1.0)


def _band_power(seg: np.ndarray, fs: float, lo_hz: float, hi_hz: float) -> np.ndarray:
    """Mean periodogram density (power per bin, full scale 1) of each row of `seg` inside [lo, hi) Hz."""
    n = seg.shape[-1]
    spec = np.abs(np.fft.fft(seg, axis=-1)) ** 2 / (n * n)
    f = np.fft.fftfreq(n, 1 / fs)
    sel = (f >= lo_hz) & (f < hi_hz)
    return spec[..., sel].mean(axis=-1) * n


def tdd_uplink_handsets(x: np.ndarray, fs: float, frame_start: float, configuration: int,
                        carrier_offset_hz: float = 0.0, bandwidth_hz: float = 20e6, pfa: float = 1e-6,
                        min_subframes: int = 2) -> tuple[list[TddHandset], dict]:
    """Handsets transmitting in the uplink subframes of a TDD carrier.

    Parameters
    ----------
    x : complex ndarray
        Samples (full scale 1) at `fs` S/s.
    frame_start : float
        Sample index of a radio-frame start (subframe 0) of the carrier, from the downlink sync; any frame
        (it is taken modulo 10 ms).
    configuration : int
        UL/DL configuration 0-6 (TS 36.211 Table 4.2-2).
    carrier_offset_hz : float
        The carrier's centre relative to the tuning (measured, i.e. including the receiver's error).
    bandwidth_hz : float
        The carrier's occupied bandwidth (n_rb_dl x 180 kHz); the part the capture holds is examined
        (at most the central 90 % of the capture band).
    pfa : float
        Per-tile false-alarm probability.
    min_subframes : int
        Uplink subframes with activity that make a handset.

    Returns
    -------
    (handsets, info): `info` has ``noise_density`` (per bin, linear), ``dl_snr_db`` (downlink over GP),
    ``ul_subframes``, ``frames``, ``prbs`` (tiles per subframe) and ``threshold``.
    """
    if configuration not in UL_DL_CONFIGURATIONS:
        raise ValueError(f"UL/DL configuration must be 0-6, got {configuration!r}")
    pattern = UL_DL_CONFIGURATIONS[configuration]
    x = np.asarray(x)
    frame_n = FRAME_S * fs
    sf_n = SUBFRAME_S * fs
    first = frame_start % frame_n
    n_frames = int((x.size - first) // frame_n)
    info = {"frames": n_frames, "ul_subframes": 0, "noise_density": None, "dl_snr_db": None, "prbs": 0,
            "threshold": None}
    if n_frames < 1:
        return [], info
    # the part of the carrier inside the capture, on the PRB grid centred on the carrier
    half = min(bandwidth_hz / 2, 0.45 * fs)
    n_half = int(half // PRB_HZ)
    if n_half < 1:
        return [], info
    edges = carrier_offset_hz + PRB_HZ * np.arange(-n_half, n_half + 1)
    frame0 = first + frame_n * np.arange(n_frames)

    # noise from the guard period of the special subframes
    sym_n = int(sf_n / 14)
    specials = [k for k, c in enumerate(pattern) if c == "S"]
    sp_starts = (frame0[:, None] + np.array(specials)[None, :] * sf_n).ravel()
    chunk_starts = (sp_starts[:, None] + np.arange(14)[None, :] * sf_n / 14).round().astype(np.int64)
    idx = chunk_starts[..., None] + np.arange(sym_n)
    chunks = x[np.clip(idx, 0, x.size - 1)]
    # per symbol position and PRB, averaged over the special subframes; the guard period is the position whose
    # median PRB is weakest (the median ignores a steady spur). A steady emitter (the dongle's DC spur, a CW
    # interferer) is in the guard period too: its PRBs are judged against their own floor there, so a signal
    # that never stops is not taken for a handset.
    gspec = np.abs(np.fft.fft(chunks, axis=-1)) ** 2 / sym_n  # (specials, 14, bins)
    gf = np.fft.fftfreq(sym_n, 1 / fs)
    gprb = np.floor((gf - edges[0]) / PRB_HZ).astype(np.int64)
    gin = (gprb >= 0) & (gprb < 2 * n_half)
    per_pos = gspec.mean(axis=0)[:, gin] @ _prb_mean_matrix(gprb[gin], 2 * n_half)  # (14, n_prb)
    medians = np.median(per_pos[_DWPTS_MIN:14 - _UPPTS_MAX], axis=1)
    g = _DWPTS_MIN + int(np.argmin(medians))
    noise = float(medians.min())
    noise_prb = np.maximum(per_pos[g], noise)
    info["noise_density"] = noise
    dl = [k for k, c in enumerate(pattern) if c == "D"]
    dl_starts = (frame0[:, None] + np.array(dl)[None, :] * sf_n).ravel().round().astype(np.int64)
    dl_seg = x[np.clip(dl_starts[:, None] + np.arange(int(sf_n)), 0, x.size - 1)]
    dl_dens = float(_band_power(dl_seg, fs, edges[0], edges[-1]).mean())
    info["dl_snr_db"] = float(10 * np.log10(max(dl_dens - noise, 1e-30) / max(noise, 1e-30)))

    # uplink tiles
    ul = [k for k, c in enumerate(pattern) if c == "U"]
    edge = int(EDGE_S * fs)
    seg_n = int(sf_n) - 2 * edge
    ul_starts = (frame0[:, None] + np.array(ul)[None, :] * sf_n).round().astype(np.int64) + edge
    seg = x[ul_starts.ravel()[:, None] + np.arange(seg_n)]
    spec = np.abs(np.fft.fft(seg, axis=-1)) ** 2 / seg_n
    f = np.fft.fftfreq(seg_n, 1 / fs)
    prb = np.floor((f - edges[0]) / PRB_HZ).astype(np.int64)
    inside = (prb >= 0) & (prb < 2 * n_half)
    counts = np.bincount(prb[inside], minlength=2 * n_half)
    tiles = spec[:, inside] @ _prb_mean_matrix(prb[inside], 2 * n_half)  # mean density per bin, as `noise`
    thr = _tile_threshold(int(counts[counts > 0].min()), pfa)
    info.update(ul_subframes=len(ul_starts.ravel()), prbs=2 * n_half, threshold=thr)
    active = tiles > thr * noise_prb[None, :]  # (n_frames * n_ul, n_prb)
    sub_ids = [(fi, u) for fi in range(n_frames) for u in ul]

    handsets = []
    used = np.flatnonzero(active.sum(axis=0) >= 1)
    runs = np.split(used, np.flatnonzero(np.diff(used) > 1) + 1) if used.size else []
    for run in runs:
        rows = np.flatnonzero(active[:, run].any(axis=1))
        if rows.size < min_subframes:
            continue
        block = tiles[np.ix_(rows, run)]
        width = run.size * PRB_HZ  # a per-bin density d over width B is a power d * B / fs
        t_rows = (ul_starts.ravel()[rows] - edge - first) / fs
        handsets.append(TddHandset(lo_hz=float(edges[run[0]]), hi_hz=float(edges[run[-1] + 1]),
                                   subframes=[sub_ids[r] for r in rows], ul_subframes=len(sub_ids),
                                   power=float(block.mean()) * width / fs, noise=noise * width / fs,
                                   first_s=float(t_rows.min()), last_s=float(t_rows.max() + SUBFRAME_S)))
    return handsets, info
