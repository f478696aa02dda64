"""GSM C0 (BCCH carrier) generator: the 51-multiframe on timeslot 0, real System Information, GMSK.

A `GsmCell` describes a base station's identity and neighbours; `c0_frame_bits` builds the bits of one
TDMA frame to TS 45.002 (FCCH, SCH with T1/T2/T3', BCCH by TC, CCCH paging fill, dummy bursts on idle
slots) and TS 45.003 (channel coding, with `detector.gsm`'s encoders: the standard defines one function
for both directions); `c0_signal` GMSK-modulates it (TS 45.004) at any sample rate with the receiver's
crystal error; `gsm_scene` puts several carriers at their ARFCN frequencies in one capture with AWGN at
a stated in-channel SNR, optional multipath and RTL-SDR 8-bit quantisation; `write_gsm_scene` writes it
as cu8 SigMF with a ``.truth.json`` beside it.

Units: frequencies in Hz, SNR in dB within a 200 kHz channel (Es/N0 = SNR - 1.32 dB, since the symbol
rate is 270.833 kHz), power in dBFS (0 dBFS = full-scale complex tone), crystal error in ppm.

Crystal-error convention (that of ``rtl_sdr -p`` and ``kal``): a receiver whose crystal runs ``ppm``
parts per million fast tunes ``fc (1 + ppm/1e6)`` and samples at ``fs (1 + ppm/1e6)``, so a carrier at
``f`` appears at about ``f - ppm/1e6 f`` in the recording, and ``-p ppm`` corrects it.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field

import numpy as np

from ..gsm._coding import sch_encode, xcch_encode
from ..gsm._constants import (
    DUMMY_BITS,
    FRAME_PERIOD_S,
    FRAME_SYMBOLS,
    HYPERFRAME,
    MF51_FCCH,
    MF51_SCH,
    SYMBOL_RATE_HZ,
    SYNC_BITS,
    TIMESLOT_START_SYMBOLS,
    TSC_BITS,
)
from ..gsm._freqlist import encode_freq_list
from ..gsm._gmsk import gmsk_modulate
from ..gsm._schinfo import sch_info_bits
from ..gsm._sysinfo import encode_lai
from ..sources import IQBlock
from ..sources._sigmf_writer import SigMFWriter
from ._scene import add_awgn, quantise_cu8

__all__ = ["GsmCell", "si_messages", "bcch_schedule", "c0_frame_bits", "c0_signal", "gsm_scene", "write_gsm_scene",
           "arfcn_freq_hz", "PAGING_IDLE", "border_scene_cells", "write_border_scene", "encode_si2quater"]

#: CCCH fill when nobody is paged: Paging Request Type 1, page mode normal, "no identity" (TS 44.018 §9.1.22).
PAGING_IDLE = bytes.fromhex("15062100" "01f0") + b"\x2b" * 17
#: An SI13 as osmo-bsc sends it by default (only its presence is decoded).
_SI13 = bytes.fromhex("010600900018" "5a6fc9e08410ab") + b"\x2b" * 10
_PAD = 0x2B


def arfcn_freq_hz(arfcn: int, band: str | None = None) -> float:
    """Downlink frequency of an ARFCN (detector.bands when present; P/E-GSM900 and DCS1800 otherwise)."""
    from ..gsm._arfcn import arfcn_to_freq

    return arfcn_to_freq(arfcn, band)


@dataclass
class GsmCell:
    """A base station's C0 carrier as the generator broadcasts it.

    Attributes
    ----------
    arfcn : int
        Absolute radio frequency channel number of the C0.
    mcc, mnc : str
        PLMN (strings; a 3-character MNC is a 3-digit MNC).
    lac, cell_id : int
        Location area code and cell identity (0..65535).
    bsic : int
        Base station identity code, NCC x 8 + BCC (0..63); the TSC of the normal bursts is the BCC.
    neighbours : list of int
        BCCH allocation sent in SI2 (any ARFCNs; the most compact frequency-list format is chosen
        unless `neighbour_format` says otherwise).
    snr_db : float
        In-channel SNR: carrier power over noise power in 200 kHz (dB).
    ext_neighbours, ter_neighbours : list of int
        Optional SI2bis / SI2ter lists (sent at TC 5 / TC 4 or 5).
    neighbour_format : str, optional
        Frequency-list format of SI2 (see `detector.gsm._freqlist.FREQ_LIST_FORMATS`).
    gprs : bool
        Announce GPRS (SI3/SI4 GPRS indicator) and send SI13 at TC 4.
    fn_start : int
        TDMA frame number at the start of the capture.
    timing_offset_s : float
        Time from the capture's first sample back to the start of frame `fn_start` (0 <= t < 4.615 ms).
    multipath : list of (delay_s, gain_db, phase_rad)
        Extra propagation paths besides the direct one (delay 0, gain 0 dB); the sum is normalised to
        the carrier's power.
    band : str, optional
        Band name for ARFCNs that two bands share (512-810: DCS1800 or PCS1900).
    lte_neighbours, utran_neighbours : list of int
        E-UTRAN EARFCNs and UTRAN FDD UARFCNs announced in SI2quater (sent at TC 5, or TC 4 when SI2bis or
        SI2ter is sent too).
    """

    arfcn: int
    mcc: str
    mnc: str
    lac: int
    cell_id: int
    bsic: int
    neighbours: list = field(default_factory=list)
    snr_db: float = 20.0
    ext_neighbours: list = field(default_factory=list)
    ter_neighbours: list = field(default_factory=list)
    neighbour_format: str | None = None
    gprs: bool = False
    fn_start: int = 0
    timing_offset_s: float = 0.0
    multipath: list = field(default_factory=list)
    band: str | None = None
    lte_neighbours: list = field(default_factory=list)
    utran_neighbours: list = field(default_factory=list)

    def __post_init__(self):
        if not 0 <= self.bsic <= 63:
            raise ValueError(f"BSIC must be 0..63, got {self.bsic}")
        if not 0 <= self.cell_id <= 0xFFFF:
            raise ValueError(f"cell_id must be 0..65535, got {self.cell_id}")
        encode_lai(self.mcc, self.mnc, self.lac)  # validates the PLMN and LAC


class _CSNWriter:
    def __init__(self, n_octets: int):
        self.bits = np.unpackbits(np.full(n_octets, _PAD, np.uint8))
        self.pos = 0

    def L(self):  # noqa: N802 - CSN.1 notation
        self.pos += 1

    def H(self):  # noqa: N802
        self.bits[self.pos] ^= 1
        self.pos += 1

    def put(self, value: int, width: int):
        for i in range(width):
            self.bits[self.pos] = value >> (width - 1 - i) & 1
            self.pos += 1

    def octets(self) -> bytes:
        return np.packbits(self.bits).tobytes()


def encode_si2quater(earfcns=(), uarfcns=(), ba_ind: int = 0) -> bytes:
    """One SI2quater (TS 44.018 §9.1.34a, rest octets §10.5.2.33b) announcing UTRAN FDD and E-UTRAN neighbours.

    Only the branches needed are written: the 3G Neighbour Cell Description (one cell per UARFCN, no cell
    information field) and, behind the Rel-5..Rel-8 H markers, the E-UTRAN Neighbour Cells (priority
    absent, THRESH_E-UTRAN_high 0). Everything must fit one 23-octet instance.

    Raises
    ------
    ValueError
        When the lists do not fit in one message.
    """
    w = _CSNWriter(20)
    try:
        w.put(ba_ind, 1)
        w.put(1, 1)  # 3G_BA_IND
        w.put(0, 1)  # MP_CHANGE_MARK
        w.put(0, 4)  # SI2quater_INDEX
        w.put(0, 4)  # SI2quater_COUNT
        w.put(0, 7)  # no measurement / RTD / BSIC / report priority / GPRS meas / NC / extension
        if uarfcns:
            w.put(1, 1)  # 3G Neighbour Cell Description
            w.put(0, 2)  # no Index_Start_3G, no Absolute_Index_Start_EMR
            w.put(1, 1)  # UTRAN FDD Description
            w.put(0, 1)  # no Bandwidth_FDD
            for u in uarfcns:
                w.put(1, 1)
                w.put(0, 1)
                w.put(int(u), 14)
                w.put(0, 1)  # FDD_Indic0
                w.put(0, 5)  # NR_OF_FDD_CELLS 0: all cells of the frequency
            w.put(0, 1)  # end of repetition
            w.put(0, 1)  # no UTRAN TDD Description
        else:
            w.put(0, 1)
        w.put(0, 2)  # no 3G / GPRS 3G measurement parameters
        if earfcns:
            w.H()  # Rel-5
            w.put(0, 2)
            w.H()  # Rel-6
            w.put(0, 1)  # 3G_CCN_ACTIVE
            w.H()  # Rel-7
            w.put(0, 2)
            w.H()  # Rel-8
            w.put(1, 1)  # Priority and E-UTRAN Parameters Description
            w.put(0, 2)  # no serving-cell / 3G priority parameters
            w.put(1, 1)  # E-UTRAN Parameters Description
            w.put(0b011, 3)  # CCN_ACTIVE 0, E-UTRAN_Start 1, E-UTRAN_Stop 1
            w.put(0, 2)  # no measurement parameters
            w.put(1, 1)  # Repeated E-UTRAN Neighbour Cells
            for e in earfcns:
                w.put(1, 1)
                w.put(int(e), 16)
                w.put(0, 1)  # no measurement bandwidth
            w.put(0, 1)
            w.put(0, 1)  # no E-UTRAN_PRIORITY
            w.put(0, 5)  # THRESH_E-UTRAN_high
            w.put(0, 2)  # no THRESH_low, no QRXLEVMIN
            w.put(0, 1)  # end of neighbour cells
            w.put(0, 4)  # no not-allowed cells, PCID-to-TA mapping, 3G CSG, E-UTRAN CSG
            w.L()  # no Rel-9 additions
        else:
            w.L()  # no Rel-5 additions
    except IndexError:
        raise ValueError(f"SI2quater: {len(earfcns)} EARFCNs and {len(uarfcns)} UARFCNs do not fit one "
                         "message") from None
    return bytes([0x05, 0x06, 0x07]) + w.octets()


def _rach() -> bytes:
    return bytes([0xB9, 0x00, 0x00])  # max retrans 4, tx-integer 14 (reserved bit 0), RE = 1; no barred classes


def _cell_sel() -> bytes:
    return bytes([0x65, 0x09])  # hysteresis 6 dB, MS_TXPWR_MAX_CCH 5, RXLEV_ACCESS_MIN 9


def si_messages(cell: GsmCell) -> dict[str, bytes]:
    """The 23-octet L2 frames of the cell's System Information (TS 44.018 §9.1.31-9.1.36).

    Returns
    -------
    dict
        ``SI1``, ``SI2``, ``SI3``, ``SI4`` always; ``SI2bis``, ``SI2ter``, ``SI13`` when configured.
    """
    lai = encode_lai(cell.mcc, cell.mnc, cell.lac)
    out = {}
    w = _CSNWriter(1)
    w.L()  # no NCH position
    w.L()  # band indicator: DCS1800
    out["SI1"] = bytes([0x55, 0x06, 0x19]) + encode_freq_list([cell.arfcn]) + _rach() + w.octets()
    ncd = encode_freq_list(cell.neighbours, cell.neighbour_format,
                           first_octet_bits=0x20 if (cell.ext_neighbours or cell.ter_neighbours) else 0)
    out["SI2"] = bytes([0x59, 0x06, 0x1A]) + ncd + bytes([0xFF]) + _rach()
    ccd = bytes([0x48, 0x02, 0x0A])  # ATT, BS_AG_BLKS_RES 1, CCCH_CONF 0; BS_PA_MFRMS 4; T3212 1 h
    w = _CSNWriter(4)
    w.L()  # no optional selection parameters
    w.L()  # no power offset
    (w.H if cell.ter_neighbours else w.L)()  # SI2ter indicator
    w.L()  # early classmark sending forbidden
    w.L()  # no scheduling info
    if cell.gprs:
        w.H()
        w.put(0, 3)  # RA colour
        w.put(0, 1)  # SI13 on BCCH Norm
    else:
        w.L()
    w.L()  # 3G early classmark sending restriction
    if cell.lte_neighbours or cell.utran_neighbours:
        w.H()
        w.put(0, 1)  # SI2quater on BCCH Norm
    else:
        w.L()  # no SI2quater
    out["SI3"] = (bytes([0x49, 0x06, 0x1B, cell.cell_id >> 8, cell.cell_id & 0xFF]) + lai + ccd + bytes([0x15])
                  + _cell_sel() + _rach() + w.octets())
    w = _CSNWriter(10)
    w.L()
    w.L()
    if cell.gprs:
        w.H()
        w.put(0, 3)
        w.put(0, 1)
    else:
        w.L()
    out["SI4"] = bytes([0x31, 0x06, 0x1C]) + lai + _cell_sel() + _rach() + w.octets()
    if cell.ext_neighbours:
        out["SI2bis"] = (bytes([0x55, 0x06, 0x02]) + encode_freq_list(cell.ext_neighbours, first_octet_bits=0x20)
                         + _rach() + bytes([_PAD]))
    if cell.ter_neighbours:
        out["SI2ter"] = bytes([0x49, 0x06, 0x03]) + encode_freq_list(cell.ter_neighbours) + bytes([_PAD] * 4)
    if cell.gprs:
        out["SI13"] = _SI13
    if cell.lte_neighbours or cell.utran_neighbours:
        out["SI2quater"] = encode_si2quater(cell.lte_neighbours, cell.utran_neighbours)
    for name, m in out.items():
        assert len(m) == 23, (name, len(m))
    return out


def bcch_schedule(cell: GsmCell) -> dict[int, list[str]]:
    """Which SI the BCCH Norm block carries for each TC = (FN div 51) mod 8 (TS 45.002 §6.3.1.3).

    SI1 at TC 0, SI2 at 1, SI3 at 2 and 6, SI4 at 3 and 7; SI2bis (or SI2ter alone) at 5; SI2ter at 4
    when both are sent; SI2quater at 5 when neither is sent, else at 4; SI13 at 4.
    A TC with several candidates cycles through them on successive
    occurrences; one with none repeats SI2 (TC 4) or SI1 (TC 5).
    """
    msgs = si_messages(cell)
    tc4, tc5 = [], []
    if "SI2bis" in msgs:
        tc5.append("SI2bis")
        if "SI2ter" in msgs:
            tc4.append("SI2ter")
    elif "SI2ter" in msgs:
        tc5.append("SI2ter")
    if "SI2quater" in msgs:
        (tc4 if tc5 else tc5).append("SI2quater")
    if "SI13" in msgs:
        tc4.append("SI13")
    return {0: ["SI1"], 1: ["SI2"], 2: ["SI3"], 3: ["SI4"], 4: tc4 or ["SI2"], 5: tc5 or ["SI1"], 6: ["SI3"],
            7: ["SI4"]}


def _normal_burst(e: np.ndarray, tsc: int) -> np.ndarray:
    return np.concatenate([[0, 0, 0], e[:58], TSC_BITS[tsc], e[58:], [0, 0, 0]]).astype(np.uint8)


_DUMMY = np.concatenate([[0, 0, 0], DUMMY_BITS, [0, 0, 0]]).astype(np.uint8)
#: Guard-period fill: a fixed pseudo-random pattern (constant bits would extend the FCCH tone).
_GUARD = np.random.default_rng(12345).integers(0, 2, 16).astype(np.uint8)
_FCCH = np.zeros(148, np.uint8)


class _Encoder:
    """Caches the coded bursts of a cell's messages."""

    def __init__(self, cell: GsmCell):
        self.cell = cell
        self.msgs = si_messages(cell)
        self.sched = bcch_schedule(cell)
        self.coded = {k: xcch_encode(v) for k, v in self.msgs.items()}
        self.coded["PAGING"] = xcch_encode(PAGING_IDLE)
        self.tsc = cell.bsic & 7

    def bcch_name(self, fn: int) -> str:
        mf = fn // 51
        cands = self.sched[mf % 8]
        return cands[(mf // 8) % len(cands)]

    def ts0_burst(self, fn: int) -> tuple[np.ndarray, str]:
        t3 = fn % 51
        if t3 in MF51_FCCH:
            return _FCCH, "FCCH"
        if t3 in MF51_SCH:
            c = sch_encode(sch_info_bits(self.cell.bsic, fn))
            return np.concatenate([[0, 0, 0], c[:39], SYNC_BITS, c[39:], [0, 0, 0]]).astype(np.uint8), "SCH"
        if t3 == 50:
            return _DUMMY, "dummy"
        if 2 <= t3 <= 5:
            name = self.bcch_name(fn)
            return _normal_burst(self.coded[name][t3 - 2], self.tsc), name
        first = max(b for b in (6, 12, 16, 22, 26, 32, 36, 42, 46) if b <= t3)
        return _normal_burst(self.coded["PAGING"][t3 - first], self.tsc), "PAGING"


def c0_frame_bits(cell: GsmCell, fn: int, _enc: _Encoder | None = None) -> np.ndarray:
    """The 1250 modulating bits of TDMA frame `fn` on the cell's C0 (guard periods: a fixed pseudo-random fill).

    Timeslot 0 carries the 51-multiframe (FCCH, SCH, BCCH, CCCH; TS 45.002 §6.3, CCCH_CONF = 0);
    timeslots 1-7 carry dummy bursts (TS 45.002 §5.2.6). Timeslots 0 and 4 last 157 symbol periods,
    the others 156.
    """
    enc = _enc or _Encoder(cell)
    bits = np.empty(FRAME_SYMBOLS, np.uint8)
    for start, end in zip(TIMESLOT_START_SYMBOLS, TIMESLOT_START_SYMBOLS[1:] + (FRAME_SYMBOLS,), strict=True):
        bits[start + 148: end] = _GUARD[: end - start - 148]
    ts0, _ = enc.ts0_burst(fn % HYPERFRAME)
    bits[0:148] = ts0
    for start in TIMESLOT_START_SYMBOLS[1:]:
        bits[start: start + 148] = _DUMMY
    return bits


def c0_signal(cell: GsmCell, sample_rate_hz: float, num_samples: int, offset_hz: float = 0.0,
              ppm: float = 0.0) -> tuple[np.ndarray, dict]:
    """Unit-power complex baseband of the cell's C0, as a receiver with crystal error `ppm` samples it.

    Parameters
    ----------
    cell : GsmCell
    sample_rate_hz : float
        Nominal sample rate (the rate written in the recording's metadata).
    num_samples : int
    offset_hz : float
        Carrier frequency relative to the receiver's (error-free) tuning, Hz.
    ppm : float
        Receiver crystal error: the receiver tunes ``fc (1 + ppm/1e6)`` and samples at ``fs (1 + ppm/1e6)``.
        `offset_hz` must then be ``f_carrier - fc (1 + ppm/1e6)`` (see `gsm_scene`).

    Returns
    -------
    samples : numpy.ndarray
        complex64, mean power 1.
    truth : dict
        Frame numbers and the sample index (float) at which each covered frame starts.
    """
    fs_true = sample_rate_hz * (1 + ppm * 1e-6)
    t = np.arange(num_samples) / fs_true + cell.timing_offset_s  # s since the start of frame fn_start
    first = int(np.floor(t[0] / FRAME_PERIOD_S)) - 1
    last = int(np.ceil((t[-1] + 1e-3) / FRAME_PERIOD_S)) + 1
    enc = _Encoder(cell)
    frames = [c0_frame_bits(cell, (cell.fn_start + f) % HYPERFRAME, enc) for f in range(first, last + 1)]
    bits = np.concatenate(frames)
    origin = first * FRAME_SYMBOLS  # symbol index of bits[0] relative to frame fn_start
    x = np.zeros(num_samples, np.complex64)
    paths = [(0.0, 0.0, 0.0)] + [tuple(p) for p in cell.multipath]
    for delay_s, gain_db, phase in paths:
        tsym = (t - delay_s) * SYMBOL_RATE_HZ - origin
        x += (10 ** (gain_db / 20) * np.exp(1j * phase) * gmsk_modulate(bits, tsym)).astype(np.complex64)
    x /= np.sqrt(np.mean(np.abs(x) ** 2))
    if offset_hz:
        x *= np.exp(2j * np.pi * offset_hz * np.arange(num_samples) / fs_true).astype(np.complex64)
    truth = {"fn_start": cell.fn_start, "frame_start_s": -cell.timing_offset_s,
             "frame_period_samples": FRAME_PERIOD_S * fs_true}
    return x.astype(np.complex64), truth


def gsm_scene(cells: list[GsmCell], center_freq_hz: float, sample_rate_hz: float = 2.4e6, duration_s: float = 1.0,
              ppm: float = 0.0, noise_dbfs: float = -30.0, seed: int = 1, quantise: bool = True
              ) -> tuple[np.ndarray, dict]:
    """A capture holding several C0 carriers, AWGN and (optionally) RTL-SDR 8-bit quantisation.

    Parameters
    ----------
    cells : list of GsmCell
        Each carrier sits at its ARFCN's downlink frequency; its power follows from its ``snr_db`` and
        the noise floor.
    center_freq_hz, sample_rate_hz, duration_s : float
        Nominal tuning, rate and length of the capture.
    ppm : float
        Receiver crystal error (see the module docstring for the sign).
    noise_dbfs : float
        AWGN power over the whole sampled band (dBFS); in a 200 kHz channel it is
        ``noise_dbfs + 10 log10(200e3 / sample_rate_hz)``.
    seed : int
    quantise : bool
        Round to the cu8 grid as an RTL-SDR does (full scale 1.0 per component, clipping).

    Returns
    -------
    samples : numpy.ndarray
        complex64.
    truth : dict
        Scene parameters and, per cell, ARFCN, frequency, apparent offset, identity, SI schedule and
        the octets of every SI message.
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sample_rate_hz))
    noise_200k_dbfs = noise_dbfs + 10 * np.log10(200e3 / sample_rate_hz)
    x = np.zeros(n, np.complex64)
    lo_hz = center_freq_hz * (1 + ppm * 1e-6)
    truth = {"generator": "detector.synth.gsm_scene", "seed": seed, "sample_rate_hz": sample_rate_hz,
             "center_freq_hz": center_freq_hz, "duration_s": n / sample_rate_hz, "ppm": ppm,
             "noise_dbfs": noise_dbfs, "noise_dbfs_per_200khz": round(float(noise_200k_dbfs), 2),
             "snr_definition": "carrier power / noise power in 200 kHz; Es/N0 = snr_db - 1.32 dB",
             "quantised_cu8": quantise, "cells": []}
    for cell in cells:
        f_rf = arfcn_freq_hz(cell.arfcn, cell.band)
        offset = f_rf - lo_hz
        if abs(offset) > sample_rate_hz / 2 - 100e3:
            raise ValueError(f"ARFCN {cell.arfcn} at {f_rf / 1e6:.1f} MHz is outside the capture "
                             f"{center_freq_hz / 1e6:.3f} MHz +- {sample_rate_hz / 2e6:.2f} MHz")
        sig, t = c0_signal(cell, sample_rate_hz, n, offset, ppm)
        p_dbfs = noise_200k_dbfs + cell.snr_db
        x += (10 ** (p_dbfs / 20) * sig * np.exp(1j * rng.uniform(0, 2 * np.pi))).astype(np.complex64)
        apparent = f_rf * (1 - ppm * 1e-6) - center_freq_hz  # first order in ppm
        entry = {**{k: v for k, v in asdict(cell).items() if k not in ("multipath",)},
                 "multipath": [list(p) for p in cell.multipath], "ncc": cell.bsic >> 3, "bcc": cell.bsic & 7,
                 "freq_hz": f_rf, "freq_offset_hz": round(-ppm * 1e-6 * f_rf, 1),
                 "baseband_offset_hz": round(apparent, 1), "power_dbfs": round(float(p_dbfs), 2),
                 "bcch_schedule": {str(k): v for k, v in bcch_schedule(cell).items()},
                 "si": {k: v.hex() for k, v in si_messages(cell).items()}, **t}
        truth["cells"].append(entry)
    x = add_awgn(x, noise_dbfs, rng)
    if quantise:
        x = quantise_cu8(x)
    return x.astype(np.complex64), truth


def write_gsm_scene(path: str, cells: list[GsmCell], center_freq_hz: float, sample_rate_hz: float = 2.4e6,
                    duration_s: float = 1.0, ppm: float = 0.0, noise_dbfs: float = -30.0, seed: int = 1,
                    start: _dt.datetime | None = None) -> dict:
    """Write `gsm_scene` as a cu8 SigMF recording with ``<base>.truth.json`` beside it; returns the truth."""
    x, truth = gsm_scene(cells, center_freq_hz, sample_rate_hz, duration_s, ppm, noise_dbfs, seed, quantise=True)
    start = start or _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    with SigMFWriter(path, sample_rate_hz, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description="GSM C0 carriers (51-multiframe, System Information), AWGN, cu8; "
                                 "ground truth in the .truth.json file") as w:
        block = 1 << 18
        for s in range(0, x.size, block):
            t0 = start + _dt.timedelta(seconds=s / sample_rate_hz)
            w.write(IQBlock(x[s: s + block], center_freq_hz, sample_rate_hz, s, t0, segment=0))
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth


def border_scene_cells(seed: int = 4) -> list[GsmCell]:
    """Three GSM900 C0s of the demonstration scene (North Korean border; see `write_border_scene`).

    * ARFCN 62: China Mobile 460-00, BSIC 21, GPRS, SI2 neighbours (bit map 0) + SI2ter (DCS1800 list), 18 dB;
    * ARFCN 66: China Unicom 460-01, BSIC 38, SI2 neighbours spanning E-GSM (range 128), SI2quater with LTE
      (EARFCN 1650, 100) and UMTS (UARFCN 10713) neighbours, 12 dB;
    * ARFCN 64: Koryolink 467-192 (3-digit MNC), BSIC 9, SI2 in range 1024 + SI2bis, 9 dB.

    Frame numbers start one frame before a TC = 0 multiframe, so 1.22 s carry SI1, SI2, SI3, SI4 and
    the TC 4/5 messages of every carrier; frame timing offsets are drawn from `seed`.
    """
    rng = np.random.default_rng(seed)

    def fn0():
        return int(51 * 8 * rng.integers(100, 5000) - 1) % HYPERFRAME

    def dt():
        return float(rng.uniform(0, FRAME_PERIOD_S))

    return [
        GsmCell(arfcn=62, mcc="460", mnc="00", lac=9522, cell_id=4321, bsic=21, neighbours=[60, 64, 66, 70],
                ter_neighbours=[512, 600, 700], gprs=True, snr_db=18.0, fn_start=fn0(), timing_offset_s=dt()),
        GsmCell(arfcn=66, mcc="460", mnc="01", lac=41001, cell_id=27013, bsic=38, neighbours=[975, 1000, 10, 62],
                lte_neighbours=[1650, 100], utran_neighbours=[10713], snr_db=12.0, fn_start=fn0(),
                timing_offset_s=dt()),
        GsmCell(arfcn=64, mcc="467", mnc="192", lac=301, cell_id=7, bsic=9, neighbours=[62, 66, 70, 80],
                neighbour_format="range1024", ext_neighbours=[990, 1005], snr_db=9.0, fn_start=fn0(),
                timing_offset_s=dt()),
    ]


def write_border_scene(path: str, seed: int = 4, ppm: float = 40.0, duration_s: float = 1.22,
                       sample_rate_hz: float = 2.048e6) -> dict:
    """The bundled GSM recording: `border_scene_cells` around 948.0 MHz, +40 ppm, cu8, at an RTL-SDR rate
    (2.048 MS/s bundled: 1.22 s stay under 5 MB; 2.4 MS/s with ``detector synth gsm-border -s 2.4M``).

    Noise is -30 dBFS over the sampled band (-40.1 dBFS per 200 kHz at 2.048 MS/s), so the carriers sit
    18, 12 and 9 dB above it.
    """
    return write_gsm_scene(path, border_scene_cells(seed), 948.0e6, sample_rate_hz, duration_s, ppm, -30.0, seed)
