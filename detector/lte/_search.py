"""LTE cell search: every cell of every carrier in a capture, with PCI, frame timing, offset and MIB.

`search(x, sample_rate_hz, center_freq_hz)`:

1. Rate: 1.92 MS/s is used as is (the carrier is taken near the centre, +-`ppm_max`); faster captures
   (2.048, 2.4, 15.36, 19.2 MS/s, ...) are cut into sub-bands on the 100 kHz raster every 300 kHz, each shifted
   to baseband and resampled to 1.92 MS/s (`to_search_rate`, scipy.signal.resample_poly), so a carrier
   anywhere inside is found (its PSS must fit: |offset| <= fs/2 - 480 kHz). The first `prescreen_s` (80 ms)
   are first searched for the PSS over the whole band at once at the capture's own rate (`pss_prescreen`: one
   FFT, no per-sub-band shift and resampling, a permissive threshold), and only the sub-bands within reach of
   its peaks are resampled, and only as far as their coarse search reads unless it finds a peak: a 2.4 MS/s
   tuning without LTE costs one prescreen (~0.3 s per window instead of ~1.5 s for five sub-band searches),
   an 80 ms capture at 19.2 MS/s with one cell ~7 s instead of ~25 s.
2. PSS: `pss_search` over +-`ppm_max` of the tuned frequency (no prior), non-coherent over half-frames,
   threshold from the false-alarm probability `pfa`; the strongest peaks are refined (`pss_refine`) and tried
   in the order of their refined metric.
3. SSS: ML over {FDD, TDD} x {normal, extended CP} x parity (`sss_detect`, coherent and non-coherent); PCI =
   3 N_ID1 + N_ID2, frame start, crystal error from the carrier offset; the offset is then corrected on the
   CRS (`crs_frequency_search`, +-4 kHz, then `crs_frequency_offset`, to a few Hz). A cell needs both gates
   (PSS above its threshold and an SSS z-score >= `sss_z_min` with a lead of `sss_margin_min`), so on noise
   P(false cell) is far below `pfa` (0 in 100 x 80 ms of noise, and on the real noise capture).
4. Several cells: after a cell is found its PSS and SSS (and, once its MIB is decoded, its PBCH and the CRS
   of subframe 0) are rebuilt from their channel estimates and subtracted, and the search runs again on the
   residual, restricted to the first cell's carrier offset (one carrier per sub-band); a weaker cell hidden
   behind the stronger cell's PSS (same N_ID2, same timing: a synchronised TDD network) is looked for with the
   non-coherent SSS detector, and one synchronised with it under another N_ID2 by trying the other two PSS
   roots at its timing (`_synchronised_neighbours`: the coarse search normalises by the whole band's power,
   which the found cell's data dominates, so such a PSS stays far below its threshold). Measured (20 seeds,
   80 ms, stronger cell 10 dB above the noise and fully loaded; benchmarks/bench_lte.py --parts cochannel):
   co-channel cells 10 dB weaker are found in every case (synchronised or not, same or other N_ID2), 15 dB
   weaker when synchronised (same N_ID2 20/20, other N_ID2 18/20); an unsynchronised cell sits under the
   stronger cell's data (-12 to -15 dB SINR on its PSS and SSS): 12 dB weaker 18/20 (the SSS reference
   averaged over all 62 subcarriers decides it), 15 dB weaker 0/20 in 80 ms but 16/20 in 320 ms (further
   cells are searched over `further_search_s`) and 18/20 at 30 % load.
   Duplicates (same PCI, or leakage of a stronger carrier into a neighbouring sub-band) merge.
5. PBCH/MIB (`decode_pbch`), reported only when the CRC matches a port mask; TDD UL/DL configuration.

Before all this, a carrier narrower than LTE standing >= 6 dB above the spectrum around it (a GSM carrier) is
pulled down to that level (`SearchConfig.flatten_narrowband`). Measured (an LTE band-8 cell, 25 RB, 2.4 MS/s,
with a GSM C0 200 kHz from its centre, 6 seeds each): with the GSM carrier 25 dB above the noise in its
200 kHz, the cell at -6 / 0 / +6 dB was found 0 / 0 / 0 times without and 5 / 6 / 6 times with it; 10 dB
above: 4 / 6 / 6 and 6 / 6 / 6. Clean captures (no such carrier) are searched unchanged.

A known crystal error (`SearchConfig.ppm_center`, e.g. learnt by a sweep from a decoded cell, with
`ppm_max` = 5) limits the offsets to those near raster points seen at that error: about a seventh of the
hypotheses at 800 MHz (0.12 s instead of 0.9 s for an 80 ms window at 2.4 MS/s without LTE) and a lower
threshold (2.4 MS/s, -12 dB: P(PCI) 0.73 instead of 0.67). A crystal outside that range can still show a
strong PSS (the Zadoff-Chu ridge), whose SSS then names a wrong cell: a cell without a MIB found under a
narrowed range sends the capture to the full-range search again.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from ..dsp import flatten_narrowband
from ._constants import FS, HALF_FRAME, NFFT, PSS_FFT_OFFSET, SSS_PSS_DISTANCE
from ._crs import crs_frequency_offset, crs_frequency_search, smooth_freq
from ._ofdm import CellTiming, demod, modulate_window
from ._pbch import MibResult, decode_pbch, subframe0_reconstruction
from ._pss import PssPeak, pss_prescreen, pss_refine, pss_search
from ._resample import to_search_rate
from ._sequences import pss
from ._sss import FLAT, REF_SMOOTH_SC, sss_detect, sss_table
from ._tdd import TddResult, tdd_config

#: Spacing of the sub-bands a capture faster than 1.92 MS/s is cut into (each searched +-160 kHz).
SUBBAND_STEP_HZ = 300e3
#: Half-frames the SSS detection combines at most (1 s; beyond, a longer capture only costs time there, it
#: still serves the PBCH). Weak cells need many: PCI 142 of the real f1860 capture (~3 dB under PCI 86, found
#: behind its cancelled PSS) is identified from 200 half-frames, not from 32.
SSS_HALF_FRAMES = 200

#: Sample-clock hypotheses (ppm) of the coarse search when the offset does not give the crystal error.
CLOCK_HYPOTHESES_PPM = (-90.0, -45.0, 0.0, 45.0, 90.0)
#: Carriers closer than this to a stronger one are its leakage (the narrowest LTE channel is 1.4 MHz).
MIN_CARRIER_SPACING_HZ = 1.3e6
#: PSS timing offsets (samples at 1.92 MS/s, each refined +-3) where a cell synchronised with a found one is
#: looked for: +-9 samples (~5 us, ~1.4 km of path difference).
SYNC_SPREAD = (0, -6, 6)

__all__ = ["SearchConfig", "LteCell", "search", "search_baseband", "carrier_raster"]


@dataclass
class SearchConfig:
    """Knobs of `search` (units in the names).

    Attributes
    ----------
    ppm_max : float
        Carrier-offset search range, +- parts per million of the tuned frequency (used when it is known),
        around `ppm_center`.
    ppm_center : float
        The receiver's crystal error as far as it is known (ppm, the ``-p`` correction: LO error / frequency;
        0 = unknown). A sweep that has measured it on a decoded cell searches later tunings over a few ppm
        around it (`LteAnalyzer.assume_crystal`) instead of +-120 ppm: a fraction of the PSS hypotheses.
    max_offset_hz : float
        Search range when the tuned frequency is unknown (+- Hz).
    step_hz : float
        Offset grid of the coarse PSS search.
    pfa : float
        False-alarm probability of one PSS search on noise (sets the threshold).
    search_s : float
        Seconds of the capture the coarse PSS search uses (the rest is used by SSS, CRS and PBCH).
    further_search_s : float
        Seconds the searches for further cells of a carrier use (when the capture is that long): they cover
        5 offsets instead of 65, so a longer integration is cheap and finds cells under a stronger one's
        data (an unsynchronised co-channel cell 15 dB down sits at about -15 dB SINR).
    sss_z_min, sss_margin_min : float
        SSS acceptance: z-score of the best hypothesis and its lead over the second.
    max_cells : int
        Cells per carrier at most.
    secondary_extra_z : float
        A cell found after another on the same carrier (in the residual of a cancellation) needs this much
        more SSS z-score unless its MIB decodes.
    unlocked_extra_z : float
        Extra SSS z-score a cell without a MIB needs when the sample clock comes from a hypothesis (a sub-band
        of a wider capture: one of several raster points; unknown tuning) rather than from the carrier offset:
        a wrong hypothesis smears the SSS over the capture and lets a wrong N_ID1 win at z 5-6.
    vouch_z : float
        SSS z-score with which a MIB decoded only by combining TTIs confirms a synchronised cell (see
        `_CarrierSearch._vouched`; true cells 15 dB under a synchronised one score 16-27).
    refine_peaks : int
        Coarse PSS peaks refined per search pass.
    noncoherent_extra_z : float
        Extra z-score the non-coherent SSS detector needs (its statistic has heavier tails on noise).
    subband_decimate : {1, 2}
        Coarse-search correlation rate divider in sub-band mode (captures faster than 1.92 MS/s search many
        sub-bands: 2 halves that cost for ~1 dB).
    prescreen_s, prescreen_pfa : float
        Captures faster than 1.92 MS/s are first searched for the PSS once over their whole band
        (`pss_prescreen`, the first `prescreen_s` seconds, a permissive false-alarm probability); only sub-bands
        near its peaks get the full search. 0 disables the prescreen.
    max_misses : int
        PSS peaks in a row that fail the SSS test before a search pass gives up (bounds the time spent on
        interference that correlates with the PSS, e.g. GSM carriers).
    pbch_frames : int
        Radio frames used by the MIB decoder at most.
    decode_mib, tdd_detail : bool
    flatten_narrowband : bool
        Pull carriers narrower than an LTE carrier that stand 6 dB or more above the spectrum around them (GSM
        carriers, >= 120 kHz wide) down to its level before the search (`detector.dsp.flatten_narrowband`):
        an LTE cell with a strong GSM carrier inside its PSS band (a foreign carrier across the border) is
        found with the rest of its subcarriers. Captures without such a carrier are searched unchanged.
    clock_locked : bool
        The receiver's sample clock and LO share a crystal (RTL-SDR, HackRF): the half-frame period is
        scaled by the crystal error implied by each offset hypothesis.
    """

    ppm_max: float = 120.0
    ppm_center: float = 0.0
    max_offset_hz: float = 250e3
    step_hz: float = 7000.0
    pfa: float = 1e-3
    search_s: float = 0.08
    further_search_s: float = 0.32
    sss_z_min: float = 5.0
    sss_margin_min: float = 1.5
    max_cells: int = 6
    max_misses: int = 4
    subband_decimate: int = 2
    refine_peaks: int = 6
    noncoherent_extra_z: float = 2.0
    secondary_extra_z: float = 3.0
    vouch_z: float = 20.0
    unlocked_extra_z: float = 2.0
    pbch_frames: int = 100
    prescreen_s: float = 0.08
    prescreen_pfa: float = 0.2
    decode_mib: bool = True
    tdd_detail: bool = True
    flatten_narrowband: bool = True
    clock_locked: bool = True


@dataclass
class LteCell:
    """One detected cell.

    Attributes
    ----------
    pci, n_id_1, n_id_2 : int
    duplex : {"fdd", "tdd"}
    cp : {"normal", "extended"}
    offset_hz : float
        Measured carrier frequency minus the capture's centre frequency (Hz).
    timing : CellTiming
        Frame timing in the 1.92 MS/s sub-band signal (`subband_shift_hz` from the capture centre; its
        sample 0 is the capture's sample 0).
    subband_shift_hz : float
    pss_metric, pss_threshold : float
        Folded PSS correlation and its threshold (Gamma(H, 1) units under noise).
    sss_z : float
    power_dbfs : float
        Mean power of one resource element of the PSS/SSS (RSRP-like), dB relative to a full-scale tone.
    snr_db : float
        That power over the noise power per subcarrier (15 kHz).
    mib : MibResult or None
    tdd : TddResult or None
    half_frames : int
    """

    pci: int
    n_id_1: int
    n_id_2: int
    duplex: str
    cp: str
    offset_hz: float
    timing: CellTiming
    subband_shift_hz: float = 0.0
    pss_metric: float = 0.0
    pss_threshold: float = 0.0
    sss_z: float = 0.0
    power_dbfs: float = float("nan")
    snr_db: float = float("nan")
    mib: MibResult | None = None
    tdd: TddResult | None = None
    half_frames: int = 0
    extra: dict = field(default_factory=dict)


def _derotate(x: np.ndarray, offset_hz: float) -> np.ndarray:
    n = np.arange(x.size, dtype=np.float64)
    return (x * np.exp(-2j * np.pi * offset_hz / FS * n)).astype(np.complex64)


def _pss_positions(q: PssPeak, n: int) -> np.ndarray:
    h = np.arange(int((n - NFFT - q.position - 4) // q.period) + 1)
    pos = q.position + h * q.period
    return pos[(pos >= 4) & (pos + NFFT + 4 <= n)]


def _same_cell_timing(a: float, b: float, period: float, tol: float = 40.0) -> bool:
    d = (a - b) % period
    return min(d, period - d) <= tol


class _CarrierSearch:
    """Successive detection of the cells of one 1.92 MS/s sub-band."""

    def __init__(self, y: np.ndarray, carrier_hz: float | None, cfg: SearchConfig,
                 known: list[tuple[int, float]] | None = None):
        self.y = y
        self.known = known or []  # (pci, offset from this sub-band's centre) found in other sub-bands
        self.decimate = 1
        self.carrier_hz = carrier_hz
        self.cfg = cfg
        if carrier_hz and carrier_hz > 0:  # a carrier at the centre seen off by -(crystal error) x frequency
            w = cfg.ppm_max * 1e-6 * carrier_hz
            self.offsets = np.arange(-w, w + cfg.step_hz / 2, cfg.step_hz) - cfg.ppm_center * 1e-6 * carrier_hz
        else:
            w = cfg.max_offset_hz
            self.offsets = np.arange(-w, w + cfg.step_hz / 2, cfg.step_hz)
        self.drift_carrier = carrier_hz if (cfg.clock_locked and carrier_hz and carrier_hz > 0) else None
        self.first_peaks: list[PssPeak] | None = None
        # a sub-band of a wider capture: its absolute centre and the raster points (Hz from it) a carrier may
        # be on, which give each offset's exact crystal error (`candidate_periods`)
        self.raster_carrier: float | None = None
        self.raster_offsets: np.ndarray | None = None

    def search_samples(self) -> int:
        """Samples (1.92 MS/s) the coarse PSS search uses."""
        return max(int(self.cfg.search_s * FS), HALF_FRAME + NFFT)

    def _coarse(self, y: np.ndarray, offsets: np.ndarray, exclude=None) -> list[PssPeak]:
        raster = self.raster_offsets is not None
        peaks, _ = pss_search(y, offsets, self.raster_carrier if raster else self.drift_carrier, self.cfg.pfa,
                              exclude=exclude, clock_ppm=CLOCK_HYPOTHESES_PPM, decimate=self.decimate,
                              raster_offsets_hz=self.raster_offsets, ppm_max=self.cfg.ppm_max,
                              ppm_center=self.cfg.ppm_center)
        return peaks

    def _clock_span_ppm(self) -> float:
        """Sample-clock span the refinement searches around a coarse peak's period: none when the period is
        exact (taken from the offset, or from a raster point), +-25 ppm around a ppm-grid hypothesis."""
        return 0.0 if (self.drift_carrier or self.raster_offsets is not None) else 25.0

    def coarse_pass(self) -> list[PssPeak]:
        """The first coarse PSS search (no cell found yet); kept for `run`, which starts from it."""
        self.first_peaks = self._coarse(self.y[:self.search_samples()], self.offsets)
        return self.first_peaks

    def run(self) -> list[LteCell]:
        cfg = self.cfg
        residual = self.y.copy()
        n_first = min(residual.size, self.search_samples())
        # once the carrier's offset is known, further cells cost a few offsets only: search them over longer
        n_more = min(residual.size, max(int(cfg.further_search_s * FS), n_first))
        cells: list[LteCell] = []
        rejected: list[tuple[int, float, float]] = []
        for _ in range(cfg.max_cells + 4):
            if len(cells) >= cfg.max_cells:
                break
            excl = rejected + [(c.n_id_2, c.offset_hz, c.extra["pss_position"]) for c in cells]
            offsets = self.offsets
            n_search = n_more if cells else n_first
            if cells:  # one carrier per sub-band: every further cell shares the receiver's offset (+-3 kHz)
                f0 = cells[0].offset_hz
                offsets = np.arange(f0 - 3e3, f0 + 3e3 + 1, 1.5e3)
            if not cells and not excl and self.first_peaks is not None:
                peaks = self.first_peaks
            else:
                peaks = self._coarse(residual[:n_search], offsets, excl)
            progress = False
            misses = 0
            # refine the strongest coarse peaks first and try them in the order of their refined metric: a
            # Zadoff-Chu ambiguity (a peak offset by whole subcarriers and shifted in time) can win the coarse
            # search, seldom the refined one
            refined = []
            for p in peaks[:cfg.refine_peaks]:
                if any(c.n_id_2 == p.n_id_2 and _same_cell_timing(p.position, c.extra["pss_position"], p.period)
                       for c in cells):
                    continue
                # on the samples the coarse search used: its metric is then compared with the same threshold
                refined.append((p, pss_refine(residual[:n_search], p, cfg.step_hz if not cells else 1.5e3,
                                              self.drift_carrier, clock_span_ppm=self._clock_span_ppm())))
            refined.sort(key=lambda pq: -pq[1].metric)
            for p, q in refined:
                if misses >= cfg.max_misses:
                    break
                if cells and abs(q.offset_hz - cells[0].offset_hz) > 1.5e3:
                    rejected.append((p.n_id_2, p.offset_hz, p.position))
                    continue
                ref = cells[0].offset_hz if cells else None
                cell = self._identify(residual, q, coherent_only=False, ref_offset=ref) \
                    if q.metric >= p.threshold else None
                if cell is not None and cell.mib is None and self.drift_carrier is None \
                        and cell.sss_z < cfg.sss_z_min + cfg.unlocked_extra_z:
                    cell = None  # clock from a hypothesis, not from the offset: a weak SSS alone is not enough
                if cell is None or any(c.pci == cell.pci for c in cells):
                    rejected.append((p.n_id_2, p.offset_hz, p.position))
                    misses += 1
                    continue
                if cells and cell.mib is None and cell.sss_z < cfg.sss_z_min + cfg.secondary_extra_z:
                    rejected.append((p.n_id_2, p.offset_hz, p.position))  # residue of a cancelled cell, most likely
                    misses += 1
                    continue
                cells.append(cell)
                residual = self._cancel(residual, cell)
                # cells synchronised with it under the other two N_ID2 first: their SSS, until cancelled, leaks
                # into the twin's test below
                residual = self._synchronised_neighbours(residual, q, cells)
                # a weaker cell sharing this PSS (same N_ID2, same timing): non-coherent SSS on the residual
                twin = self._identify(residual, q, coherent_only=None, pss_channel=cell.extra["pss_channel"],
                                      ref_offset=cells[0].offset_hz, vouch=True)
                # (the same acceptance as the other synchronised neighbours: no PSS of its own to vouch for it)
                if twin is not None and all(c.pci != twin.pci for c in cells) and self._vouched(twin):
                    cells.append(twin)
                    residual = self._cancel(residual, twin)
                progress = True
                break
            if not progress:
                break
        return cells

    def _synchronised_neighbours(self, residual: np.ndarray, q: PssPeak, cells: list[LteCell]) -> np.ndarray:
        """Cells of the other two N_ID2 synchronised with a found cell (its PSS timing +-`SYNC_SPREAD`).

        Their PSS shares the found cell's OFDM symbol, now cancelled, so it competes with the noise only; but
        the coarse search normalises by the power of the whole band, which the found cell's data REs dominate
        (a cell 15 dB weaker than one 10 dB above the noise stays ~25 dB below that level's threshold). Here
        the other roots are refined at that timing and accepted on the SSS and MIB (`_vouched`)."""
        cfg = self.cfg
        ref = cells[0].offset_hz
        for n2 in range(3):
            if n2 == q.n_id_2 or len(cells) >= cfg.max_cells:
                continue
            for dt in SYNC_SPREAD:
                if any(c.n_id_2 == n2 and _same_cell_timing(q.position + dt, c.extra["pss_position"], q.period)
                       for c in cells):
                    break
                p = PssPeak(n2, q.offset_hz, q.position + dt, q.period, 0.0, q.threshold, q.half_frames,
                            q.noise_power)
                p = pss_refine(residual, p, 1.5e3, self.drift_carrier)
                if abs(p.offset_hz - ref) > 1.5e3:
                    continue
                cell = self._identify(residual, p, coherent_only=False, ref_offset=ref, vouch=True)
                if cell is None or any(c.pci == cell.pci for c in cells) or not self._vouched(cell):
                    continue
                cells.append(cell)
                residual = self._cancel(residual, cell)
                break
        return residual

    def _vouched(self, cell: LteCell) -> bool:
        """Acceptance of a cell looked for at a found cell's PSS timing (no PSS peak of its own): a MIB whose
        CRC passed in at least two 40 ms TTIs on their own (by chance: about (4 x 3 x 2^-16)^2), or any MIB
        with an SSS z-score of at least `vouch_z`. A lower z-score with a decode that needs the soft
        combination across TTIs is not enough: under a strong co-channel cell such pairs (z 10-16) were seen
        on a real capture (f1860) to name either of two PCIs at nearly the same timing depending on a DC
        offset of 0.5 LSB, which is no identification (that capture's second cell, PCI 142, is then found
        at its own PSS peak by the next search pass)."""
        m = cell.mib
        if m is None:
            return False
        return (not m.combined and m.ttis_decoded >= 2) or cell.sss_z >= self.cfg.vouch_z

    # -- one cell ----------------------------------------------------------------------------------------
    def _identify(self, x: np.ndarray, q: PssPeak, coherent_only: bool | None,
                  pss_channel: np.ndarray | None = None, ref_offset: float | None = None,
                  vouch: bool = False) -> LteCell | None:
        """The cell (SSS, offset, power, MIB) at the PSS peak `q`, or None. `vouch`: a cell without a PSS peak
        of its own, which `_vouched` must accept; below `vouch_z` only MIBs passing in single TTIs count, so
        the costly soft combination across TTIs is not tried for it."""
        cfg = self.cfg
        xc = _derotate(x, q.offset_hz)
        pos = _pss_positions(q, xc.size)
        if pos.size == 0:
            return None
        results = []
        if coherent_only is not False or pss_channel is None:
            if pss_channel is None:
                # two references: the PSS channel smoothed over 13 subcarriers (frequency-selective channels) and
                # its mean over all 62 (flat channels; 7 dB better estimate); the larger z-score decides
                results.append(sss_detect(xc, q.n_id_2, pos[:SSS_HALF_FRAMES], q.clock, coherent=True,
                                          smooth_sc=(REF_SMOOTH_SC, FLAT)))
        if coherent_only is not True:
            results.append(sss_detect(xc, q.n_id_2, pos[:SSS_HALF_FRAMES], q.clock, coherent=False))
        ok = [s for s in results if s.z >= cfg.sss_z_min + (0.0 if s.coherent else cfg.noncoherent_extra_z)
              and s.margin >= cfg.sss_margin_min]
        if not ok:
            return None
        r = max(ok, key=lambda s: s.z)
        pci = 3 * r.n_id_1 + q.n_id_2
        frame_start = pos[0] - (PSS_FFT_OFFSET[(r.duplex, r.cp)] + HALF_FRAME * r.parity) * q.clock
        timing = CellTiming(float(frame_start), q.clock, r.cp, r.duplex)
        offset = q.offset_hz
        sfs = range(10) if r.duplex == "fdd" else (0, 5)
        # fixes PSS estimates off by 1-3 kHz at low SNR; a further cell of a carrier already has its offset
        coarse = crs_frequency_search(xc, timing, pci, sfs) if ref_offset is None else None
        if ref_offset is not None:
            offset = ref_offset
            xc = _derotate(x, offset)
        if coarse:
            offset += coarse
            xc = _derotate(x, offset)
        d = crs_frequency_offset(xc, timing, pci, sfs)
        if d is not None and abs(d) < (900 if ref_offset is None else 300):
            offset += d
            xc = _derotate(x, offset)
            if self.drift_carrier:
                clock = 1 - offset / self.drift_carrier
                timing = CellTiming(float(pos[0] - (PSS_FFT_OFFSET[(r.duplex, r.cp)] + HALF_FRAME * r.parity)
                                          * clock), clock, r.cp, r.duplex)
        # PSS channel per occurrence: power, SNR and (for cancellation) the reconstruction; a cell found behind
        # another's PSS (its PSS already cancelled) is measured on its SSS instead
        y_pss = demod(xc, pos, 62).astype(np.complex128)
        hp = y_pss * np.conj(pss(q.n_id_2))[None, :]
        if pss_channel is not None:
            tab = sss_table(q.n_id_2)
            y_s = demod(xc, pos - SSS_PSS_DISTANCE[(r.duplex, r.cp)] * timing.clock, 62).astype(np.complex128)
            hp = y_s * tab[(np.arange(pos.size) + r.parity) % 2, r.n_id_1]
        hs = smooth_freq(hp, 7)
        noise = float(np.mean(np.abs(hp - hs) ** 2)) * 7 / 6 + 1e-30
        sig = max(float(np.mean(np.abs(hs) ** 2)) - noise / 7, 1e-30)
        duplicate = any(k == pci and abs(f - offset) < 60e3 for k, f in self.known)
        cell = LteCell(pci, r.n_id_1, q.n_id_2, r.duplex, r.cp, float(offset), timing, pss_metric=q.metric,
                       pss_threshold=q.threshold, sss_z=r.z, half_frames=int(pos.size))
        cell.power_dbfs = 10 * math.log10(sig / NFFT ** 2)
        cell.snr_db = 10 * math.log10(sig / noise)
        cell.extra.update({"pss_position": float(pos[0]), "pss_positions": pos, "parity": r.parity,
                           "pss_channel": hs, "sss_margin": r.margin})
        cell.extra["duplicate"] = duplicate
        if cfg.decode_mib and not duplicate:
            cell.mib = decode_pbch(xc, timing, pci, max_frames=cfg.pbch_frames,
                                   combine=not vouch or r.z >= cfg.vouch_z)
        if cfg.tdd_detail and r.duplex == "tdd" and not duplicate:
            try:
                cell.tdd = tdd_config(x, timing.frame_start, timing.clock)
            except ValueError:
                cell.tdd = None
        return cell

    def _cancel(self, x: np.ndarray, cell: LteCell) -> np.ndarray:
        """Subtract the cell's PSS and SSS (rebuilt from smoothed LS channel estimates) from `x`, and with a MIB,
        its PBCH and the CRS of subframe 0."""
        xc = _derotate(x, cell.offset_hz)
        pos = cell.extra["pss_positions"]
        d = pss(cell.n_id_2)
        tab = sss_table(cell.n_id_2)
        dist = SSS_PSS_DISTANCE[(cell.timing.duplex, cell.timing.cp)] * cell.timing.clock
        y_pss = demod(xc, pos, 62).astype(np.complex128)
        h_pss = smooth_freq(y_pss * np.conj(d)[None, :], 7)
        spos = pos - dist
        y_sss = demod(xc, spos, 62).astype(np.complex128)
        out = xc.astype(np.complex128)
        for h in range(pos.size):
            s = tab[(h + cell.extra["parity"]) % 2, cell.n_id_1].astype(np.float64)
            h_sss = smooth_freq(y_sss[h] * s, 7)
            for start, yy in ((pos[h], h_pss[h] * d), (spos[h], h_sss * s)):
                s0, w = modulate_window(yy, float(start))
                if s0 >= 0 and s0 + NFFT <= out.size:
                    out[s0:s0 + NFFT] -= w
        if cell.mib is not None:  # the decoded MIB makes its PBCH and CRS in subframe 0 known: cancel them too
            for start, yy in subframe0_reconstruction(xc, cell.timing, cell.pci, cell.mib):
                s0, w = modulate_window(yy, start)
                if s0 >= 0 and s0 + NFFT <= out.size:
                    out[s0:s0 + NFFT] -= w
        n = np.arange(out.size, dtype=np.float64)
        return (out * np.exp(2j * np.pi * cell.offset_hz / FS * n)).astype(np.complex64)


def search_baseband(y: np.ndarray, carrier_hz: float | None = None, config: SearchConfig | None = None
                    ) -> list[LteCell]:
    """All cells of one carrier in a 1.92 MS/s signal centred near it (`carrier_hz`: its absolute centre)."""
    return _CarrierSearch(np.asarray(y, dtype=np.complex64), carrier_hz, config or SearchConfig()).run()


def _subband_shifts(sample_rate_hz: float, center_freq_hz: float | None, step_hz: float) -> list[float]:
    """Centres (Hz from the capture centre) of the 1.92 MS/s sub-bands that cover a capture faster than 1.92 MS/s.

    A carrier's PSS spans +-473 kHz, so carriers within fs/2 - 480 kHz of the centre are searched; the
    sub-band centres are raster points (100 kHz multiples of the absolute frequency when it is known).

    Examples
    --------
    >>> _subband_shifts(2.4e6, 1860e6, 300e3)
    [-600000.0, -300000.0, 0.0, 300000.0, 600000.0]
    """
    half = sample_rate_hz / 2 - 480e3
    if half <= 0:
        return [0.0]
    k = int(math.ceil(half / step_hz))
    shifts = np.arange(-k, k + 1) * step_hz
    shifts = shifts[np.abs(shifts) <= half + step_hz / 2]
    if center_freq_hz and center_freq_hz > 0:
        base = round(center_freq_hz / 1e5) * 1e5 - center_freq_hz
        shifts = shifts + base
    return [float(s) for s in shifts]


def lte_reach_hz(sample_rate_hz: float) -> float:
    """How far from the tuned frequency (Hz, either side) `search` finds a carrier's centre in a capture at
    `sample_rate_hz` (> 1.92 MS/s), wherever the 100 kHz raster falls: its PSS (+-472.5 kHz) must fit inside
    the band, and the 300 kHz sub-bands (each searched +-160 kHz) reach that far. A sweep spaces its LTE
    steps by twice this (`detector.scanner.plan_sweep`).

    Examples
    --------
    >>> lte_reach_hz(2.4e6)
    710000.0
    """
    if sample_rate_hz <= FS * (1 + 1e-3):
        return 0.0
    subbands = max(abs(s) for s in _subband_shifts(sample_rate_hz, None, SUBBAND_STEP_HZ))
    return float(min(sample_rate_hz / 2 - 490e3, subbands + SUBBAND_STEP_HZ / 2 + 10e3 - 50e3))


def _raster_offsets(center_freq_hz: float | None, lo_hz: float, hi_hz: float, cfg: SearchConfig
                    ) -> np.ndarray | None:
    """The 100 kHz raster points (Hz from `center_freq_hz`) a carrier seen between `lo_hz` and `hi_hz` from it may
    sit on, given a crystal error within `cfg.ppm_max` of `cfg.ppm_center`; None when the tuning is unknown or
    the LO and sample clock are not locked."""
    if not (center_freq_hz and center_freq_hz > 0 and cfg.clock_locked):
        return None
    scale = 1e-6 * (center_freq_hz + max(abs(lo_hz), abs(hi_hz)))
    seen_low = cfg.ppm_center * 1e-6 * center_freq_hz  # a raster point d is seen at d - this
    reach = cfg.ppm_max * scale + 1e3
    base = round(center_freq_hz / 1e5) * 1e5 - center_freq_hz
    k = np.arange(math.floor((lo_hz + seen_low - reach - base) / 1e5),
                  math.ceil((hi_hz + seen_low + reach - base) / 1e5) + 1)
    return base + k * 1e5


def _near_raster(offsets: np.ndarray, raster_offsets: np.ndarray | None, center_freq_hz: float | None,
                 cfg: SearchConfig) -> np.ndarray:
    """The carrier-offset hypotheses (Hz) where a carrier on one of the raster points may be seen given the
    crystal error's range (all of them when the range spans the 100 kHz raster, or the tuning is unknown)."""
    if raster_offsets is None or not center_freq_hz or cfg.ppm_max * 1e-6 * center_freq_hz >= 50e3:
        return offsets
    seen = raster_offsets - cfg.ppm_center * 1e-6 * center_freq_hz
    reach = cfg.ppm_max * 1e-6 * center_freq_hz + cfg.step_hz / 2
    near = np.abs(offsets[:, None] - seen[None, :]).min(axis=1) <= reach
    return offsets[near]


def _prescreen_shifts(x: np.ndarray, sample_rate_hz: float, shifts: list[float], cfg: SearchConfig,
                      center_freq_hz: float | None = None) -> list[float]:
    """The sub-bands (of `shifts`) within reach of a peak of one whole-band PSS search of the capture's start."""
    n = min(x.size, max(int(cfg.prescreen_s * sample_rate_hz), int((HALF_FRAME + 2 * NFFT) * sample_rate_hz / FS)))
    if n < int((HALF_FRAME + 2 * NFFT) * sample_rate_hz / FS):
        return shifts
    half = SUBBAND_STEP_HZ / 2 + 10e3
    lo, hi = min(shifts) - half, max(shifts) + half
    raster = _raster_offsets(center_freq_hz, lo, hi, cfg)
    offsets = _near_raster(np.arange(lo, hi + 1, cfg.step_hz), raster, center_freq_hz, cfg)
    if offsets.size == 0:
        return []
    peaks, _ = pss_prescreen(x[:n], sample_rate_hz, offsets, cfg.prescreen_pfa, CLOCK_HYPOTHESES_PPM,
                             carrier_hz=center_freq_hz, raster_offsets_hz=raster, ppm_max=cfg.ppm_max,
                             ppm_center=cfg.ppm_center)
    # carriers are >= 1.4 MHz apart (TS 36.101 5.7.1): keep the strongest peak of each and no more carriers
    # than fit, so that energy that mimics a PSS everywhere (a 5 ms-periodic TDD system) cannot send every
    # sub-band to the full search
    carriers: list[float] = []
    for p in sorted(peaks, key=lambda p: -p.metric):
        if len(carriers) >= int((hi - lo) / MIN_CARRIER_SPACING_HZ) + 1:
            break
        if all(abs(p.offset_hz - f) >= MIN_CARRIER_SPACING_HZ for f in carriers):
            carriers.append(p.offset_hz)
    reach = half + 30e3  # a Zadoff-Chu ambiguity may win the coarse peak a few subcarriers away
    return [s for s in shifts if any(abs(f - s) <= reach for f in carriers)]


def _check_input(x, sample_rate_hz: float) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D array of complex samples, got shape {x.shape}")
    if not np.iscomplexobj(x):
        raise TypeError(f"x must hold complex samples (I + jQ), got {x.dtype}")
    if not (isinstance(sample_rate_hz, (int, float)) and math.isfinite(sample_rate_hz) and sample_rate_hz > 0):
        raise ValueError(f"sample_rate_hz must be a positive number of samples per second, not {sample_rate_hz!r}")
    if sample_rate_hz < FS * (1 - 1e-6):
        raise ValueError(f"sample rate {sample_rate_hz / 1e6:.4g} MS/s is below 1.92 MS/s: the PSS/SSS (945 kHz) "
                         "and PBCH (1.08 MHz) do not fit")
    x = x.astype(np.complex64, copy=False)
    if not np.all(np.isfinite(x.view(np.float32))):
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    return x


def search(x: np.ndarray, sample_rate_hz: float = FS, center_freq_hz: float | None = None,
           config: SearchConfig | None = None) -> list[LteCell]:
    """Find every LTE cell in a capture (see the module notes for the chain).

    Parameters
    ----------
    x : ndarray of complex
        The capture (at least 5 ms + 1 symbol; 80 ms or more for full sensitivity and MIB combining).
    sample_rate_hz : float
        >= 1.92 MS/s. At 1.92 MS/s the carrier is searched within +-`ppm_max` of the centre; faster captures
        are searched over every 100 kHz raster point whose PSS fits inside them (sub-bands every 300 kHz,
        each +-160 kHz wide, sample-clock error from a ppm grid).
    center_freq_hz : float, optional
        Tuned frequency (Hz); sets the +-ppm search range and the crystal-drift model. Unknown: +-250 kHz.
    config : SearchConfig, optional

    Returns
    -------
    list of LteCell, strongest (highest power per RE) first; `offset_hz` is relative to `center_freq_hz`.

    Raises
    ------
    ValueError, TypeError
        Not a 1-D complex array, a sample rate below 1.92 MS/s, or shorter than 5 ms.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> noise = ((rng.standard_normal(40000) + 1j * rng.standard_normal(40000)) / 100).astype(np.complex64)
    >>> search(noise, 1.92e6, 1890e6)
    []
    """
    cfg = config or SearchConfig()
    x = _check_input(x, float(sample_rate_hz))
    if cfg.flatten_narrowband:
        x = flatten_narrowband(x, float(sample_rate_hz))
    fc = float(center_freq_hz) if center_freq_hz is not None and math.isfinite(center_freq_hz) else None
    native = abs(sample_rate_hz - FS) <= 1e-3 * FS
    shifts = [0.0] if native else _subband_shifts(sample_rate_hz, fc, SUBBAND_STEP_HZ)
    if not native and cfg.prescreen_s > 0:
        shifts = _prescreen_shifts(x, float(sample_rate_hz), shifts, cfg, fc)
    cells: list[LteCell] = []
    # a sub-band is first brought to 1.92 MS/s only as far as the coarse PSS search reads (plus the resampling
    # filter's edge), and the rest only if that search finds a peak
    n_head = int(math.ceil((max(int(cfg.search_s * FS), HALF_FRAME + NFFT) + 256) * sample_rate_hz / FS))
    for shift in shifts:
        short = not native and x.size > 2 * n_head
        y = to_search_rate(x[:n_head] if short else x, sample_rate_hz, shift)
        if y.size < HALF_FRAME:
            raise ValueError(f"capture too short for LTE cell search: {x.size} samples "
                             f"({x.size / sample_rate_hz * 1e3:.2f} ms); need >= 5 ms (one half-frame)")
        cs = _CarrierSearch(y, (fc + shift) if fc else None, cfg, [(c.pci, c.offset_hz - shift) for c in cells])
        if not native:
            half = SUBBAND_STEP_HZ / 2 + 10e3
            cs.offsets = np.arange(-half, half + 1, cfg.step_hz)
            cs.drift_carrier = None
            cs.decimate = cfg.subband_decimate
            if fc:  # the sub-band's centre is a raster point
                cs.raster_offsets = _raster_offsets(fc + shift, -half, half, cfg)
                cs.raster_carrier = fc + shift if cs.raster_offsets is not None else None
                cs.offsets = _near_raster(cs.offsets, cs.raster_offsets, fc + shift, cfg)
                if cs.offsets.size == 0:
                    continue
        if short:
            if not cs.coarse_pass():
                continue
            cs.y = to_search_rate(x, sample_rate_hz, shift)
        for c in cs.run():
            if c.extra.get("duplicate"):
                continue
            c.subband_shift_hz = shift
            c.offset_hz += shift
            cells.append(c)
    merged: list[LteCell] = []
    for c in sorted(cells, key=lambda c: (c.mib is None, -c.sss_z)):
        # same cell seen from two sub-bands, or a stronger carrier's leakage into a neighbouring sub-band
        # (carriers are >= 1.4 MHz apart, TS 36.101 §5.7.1): keep the strongest
        if any(m.pci == c.pci and abs(m.offset_hz - c.offset_hz) < 60e3 for m in merged):
            continue
        if any(5e3 < abs(m.offset_hz - c.offset_hz) < MIN_CARRIER_SPACING_HZ for m in merged) and c.mib is None:
            continue
        merged.append(c)
    merged.sort(key=lambda c: -c.power_dbfs)  # strongest first (PSS metrics of 80 and 320 ms searches differ)
    if fc and cfg.ppm_max < SearchConfig.ppm_max and any(c.mib is None for c in merged):
        # a narrowed crystal range that misses the true error still finds a strong PSS (the Zadoff-Chu
        # ridge), but the clock it assumes smears the SSS and a wrong N_ID1 wins (seen at z 7-8 with the
        # crystal 31 ppm outside a +-5 ppm range): a cell without a MIB is looked for again over the full range
        # (`x` is already flattened)
        return search(x, sample_rate_hz, center_freq_hz, dataclasses.replace(
            cfg, ppm_max=SearchConfig.ppm_max, ppm_center=0.0, flatten_narrowband=False))
    return merged


def carrier_raster(center_freq_hz: float, offset_hz: float, sample_rate_hz: float, ppm_max: float = 120.0,
                   clock: float | None = None) -> tuple[float, float]:
    """(raster frequency, measured - raster) of a carrier seen `offset_hz` from the tuned frequency (Hz), the
    receiver's crystal error being within `ppm_max` ppm.

    `clock` (the cell's measured sample-clock ratio, `CellTiming.clock`): the LO shares the crystal, so the
    carrier was seen (clock - 1) x its frequency low, and the raster point is the one nearest the corrected
    frequency. Without it a carrier within `ppm_max` of the tuned raster point is taken to be on it (a
    capture tuned to its carrier), which is ambiguous beyond 50 kHz of error (62 ppm at 800 MHz).

    Examples
    --------
    >>> carrier_raster(806.1e6, -35.5e3, 2.4e6, clock=1 - 82e-6)[0]  # a crystal 80 ppm slow, 806.0 MHz carrier
    806000000.0
    """
    f = center_freq_hz + offset_hz
    tuned = round(center_freq_hz / 1e5) * 1e5
    if clock is not None and abs(clock - 1) < 1e-3:
        raster = round(f * clock / 1e5) * 1e5
        return float(raster), float(f - raster)
    if sample_rate_hz <= 2.5e6 and abs(f - tuned) <= ppm_max * 1e-6 * tuned + 1e3:
        raster = tuned
    else:
        raster = round(f / 1e5) * 1e5
    return float(raster), float(f - raster)
