"""LTE downlink generator: FDD/TDD cells with PSS, SSS, CRS (1/2/4 ports), a PBCH carrying a real MIB and
QPSK-loaded data REs, seen through a narrowband receiver (TS 36.211 §6, 36.212 §5.3.1, 36.331).

`LteCellSpec` describes a cell; `cell_signal` builds its resource grid frame by frame (36.211 §6.2) on the
subcarriers a receiver at `sample_rate_hz` sees (at most +-0.45 fs: what the anti-alias filter of a
1.92 MS/s capture of a 1.4-20 MHz cell lets through), applies a static multipath channel per antenna port
in the frequency domain, OFDM-modulates it (normal CP 160/144, extended 512 per 2048) and applies the
receiver's crystal error (LO offset and sample-clock stretch); `lte_scene` adds several cells, AWGN at a
stated SNR and cu8 quantisation; `write_lte_scene` writes cu8 SigMF with a ``.truth.json`` beside it.

Channel coding uses `detector.lte`'s CRC, convolutional encoder, rate matching and Gold sequence (the
standard defines one function for both directions); nothing of the receiver is used.

Units: frequencies in Hz; SNR in dB = mean power of the cell's downlink subframes over the noise power
in the whole sampled band (so at 1.92 MS/s it is the SNR "in the 1.92 MHz band"); crystal error in ppm,
with the convention of ``rtl_sdr -p`` (a receiver ``ppm`` fast tunes fc (1 + ppm 1e-6) and samples at
fs (1 + ppm 1e-6); a carrier at f appears at f - fc - ppm 1e-6 f).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass

import numpy as np

from ..lte._coding import PORT_MASKS, conv_encode, crc16, rate_match
from ..lte._constants import N_RB_VALUES, PHICH_NG, TDD_CONFIGS
from ..lte._mib import encode_mib
from ..lte._sequences import gold, pss, sss
from ..sources import IQBlock
from ..sources._sigmf_writer import SigMFWriter
from ._scene import add_awgn, quantise_cu8

__all__ = ["LteCellSpec", "cell_signal", "lte_scene", "write_lte_scene", "EPA_PROFILE", "DWPTS_SYMBOLS",
           "pbch_frame_bits", "two_cell_tdd_scene", "fdd_two_carrier_cells", "write_reference_recordings",
           "write_two_cell_tdd_scene"]

#: Extended Pedestrian A delay profile (36.101 Annex B.2.1): (delay ns, power dB).
EPA_PROFILE = ((0, 0.0), (30, -1.0), (70, -2.0), (90, -3.0), (110, -8.0), (190, -17.2), (410, -20.8))
#: DwPTS length in OFDM symbols per special-subframe configuration 0-9 (36.211 Table 4.2-1), by CP.
DWPTS_SYMBOLS = {"normal": (3, 9, 10, 11, 12, 3, 9, 10, 11, 6), "extended": (3, 8, 9, 10, 3, 8, 9, 5)}


@dataclass
class LteCellSpec:
    """One LTE cell of a scene.

    Attributes
    ----------
    pci : int
        Physical cell identity 0-503.
    earfcn : int
        Downlink EARFCN (sets the carrier frequency through `detector.bands`).
    duplex : {"fdd", "tdd"}
    cp : {"normal", "extended"}
    n_ports : {1, 2, 4}
    n_rb_dl : int
        6, 15, 25, 50, 75 or 100.
    snr_db : float
        Downlink power over the noise in the whole sampled band.
    sfn0 : int
        SFN of the radio frame that starts at `frame_start_s` (0-1023).
    frame_start_s : float
        Where a radio frame starts in the capture (s, 0 <= t < 10 ms).
    tdd_config, special_config : int
        UL/DL configuration 0-6 and special-subframe configuration (TDD only).
    phich_duration, phich_resource : str
        MIB fields ("normal"/"extended", "1/6"/"1/2"/"1"/"2").
    load : float
        Fraction of the data REs carrying QPSK (0 = only PSS/SSS/PBCH/CRS).
    multipath : bool
        Independent EPA channel per port (static), else flat with a random phase per port.
    extra_offset_hz : float
        Base-station frequency error added to the receiver's (Hz).
    """

    pci: int
    earfcn: int
    duplex: str = "fdd"
    cp: str = "normal"
    n_ports: int = 2
    n_rb_dl: int = 25
    snr_db: float = 10.0
    sfn0: int = 0
    frame_start_s: float = 0.0
    tdd_config: int = 2
    special_config: int = 7
    phich_duration: str = "normal"
    phich_resource: str = "1"
    load: float = 1.0
    multipath: bool = False
    extra_offset_hz: float = 0.0

    def __post_init__(self):
        if not 0 <= self.pci <= 503:
            raise ValueError(f"pci must be in 0..503, not {self.pci}")
        if self.duplex not in ("fdd", "tdd"):
            raise ValueError(f"duplex must be 'fdd' or 'tdd', not {self.duplex!r}")
        if self.cp not in ("normal", "extended"):
            raise ValueError(f"cp must be 'normal' or 'extended', not {self.cp!r}")
        if self.n_ports not in (1, 2, 4):
            raise ValueError(f"n_ports must be 1, 2 or 4, not {self.n_ports}")
        if self.n_rb_dl not in N_RB_VALUES:
            raise ValueError(f"n_rb_dl must be one of {N_RB_VALUES}, not {self.n_rb_dl}")
        if not 0 <= self.tdd_config <= 6:
            raise ValueError(f"tdd_config must be 0..6, not {self.tdd_config}")
        if not 0 <= self.special_config < len(DWPTS_SYMBOLS[self.cp]):
            raise ValueError(f"special_config must be 0..{len(DWPTS_SYMBOLS[self.cp]) - 1} with {self.cp} CP")
        if self.phich_resource not in PHICH_NG:
            raise ValueError(f"phich_resource must be one of {PHICH_NG}")


def pbch_frame_bits(spec: LteCellSpec, sfn: int) -> np.ndarray:
    """Scrambled PBCH bits of the radio frame with SFN `sfn` (480 normal / 432 extended CP; 36.212 §5.3.1,
    36.211 §6.6.1): MIB + CRC-16 masked by the port count, TBCC, rate matching to 4 frames, quarter sfn mod 4."""
    e = 480 if spec.cp == "normal" else 432
    a = encode_mib(spec.n_rb_dl, spec.phich_duration, spec.phich_resource, sfn)
    c = np.concatenate([a, crc16(a) ^ PORT_MASKS[spec.n_ports]])
    bits = rate_match(conv_encode(c), 4 * e) ^ gold(spec.pci, 4 * e)
    j = sfn % 4
    return bits[j * e:(j + 1) * e]


def _qpsk(bits: np.ndarray) -> np.ndarray:
    b = bits.reshape(-1, 2).astype(np.float64)
    return ((1 - 2 * b[:, 0]) + 1j * (1 - 2 * b[:, 1])) / np.sqrt(2)


def _subframe_kinds(spec: LteCellSpec) -> str:
    return "D" * 10 if spec.duplex == "fdd" else TDD_CONFIGS[spec.tdd_config]


def _frame_grid(spec: LteCellSpec, sfn: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Resource grid of one radio frame: (ports, 20 slots x n_symb, 12 n_rb) complex, and the DL symbol mask."""
    nsym = 7 if spec.cp == "normal" else 6
    n_sc = 12 * spec.n_rb_dl
    n_cell, vs = spec.pci, spec.pci % 6
    grid = np.zeros((spec.n_ports, 20 * nsym, n_sc), np.complex128)
    used = np.zeros((20 * nsym, n_sc), bool)  # any port's CRS or a sync/PBCH RE
    kinds = _subframe_kinds(spec)
    dl = np.zeros(20 * nsym, bool)
    dwpts = DWPTS_SYMBOLS[spec.cp][spec.special_config]
    for sf, kind in enumerate(kinds):
        base = 2 * sf * nsym
        if kind == "D":
            dl[base: base + 2 * nsym] = True
        elif kind == "S":
            dl[base: base + dwpts] = True
    n_cp = 1 if spec.cp == "normal" else 0
    # CRS (36.211 §6.10.1), on every downlink symbol that carries one
    for ns in range(20):
        for port in range(4):
            ls = (0, nsym - 3) if port < 2 else (1,)
            for l in ls:
                row = ns * nsym + l
                if not dl[row]:
                    continue
                if port < 2:
                    v = (0 if l == 0 else 3) if port == 0 else (3 if l == 0 else 0)
                else:
                    v = 3 * (ns % 2) + (3 if port == 3 else 0)
                k = 6 * np.arange(2 * spec.n_rb_dl) + (v + vs) % 6
                used[row, k] = True
                if port < spec.n_ports:
                    c_init = (1 << 10) * (7 * (ns + 1) + l + 1) * (2 * n_cell + 1) + 2 * n_cell + n_cp
                    c = gold(c_init % (1 << 31), 440).astype(np.float64)
                    r = ((1 - 2 * c[0::2]) + 1j * (1 - 2 * c[1::2])) / np.sqrt(2)
                    grid[port, row, k] = r[110 - spec.n_rb_dl: 110 - spec.n_rb_dl + 2 * spec.n_rb_dl]
    centre = 6 * spec.n_rb_dl - 36  # first of the 72 central subcarriers
    ksync = centre + 5 + np.arange(62)  # k = n - 31 + 6 N_RB
    n1, n2 = divmod(n_cell, 3)
    if spec.duplex == "fdd":
        sync = [(0, nsym - 1, nsym - 2, 0), (10, nsym - 1, nsym - 2, 5)]  # (slot, pss l, sss l, sss subframe)
        for slot, lp, ls_, sfi in sync:
            grid[0, slot * nsym + lp, ksync] = pss(n2)
            grid[0, slot * nsym + ls_, ksync] = sss(n1, n2, sfi)
            used[slot * nsym + lp, centre:centre + 72] = True
            used[slot * nsym + ls_, centre:centre + 72] = True
    else:
        for sf_pss, sf_sss in ((1, 0), (6, 5)):
            row_p = 2 * sf_pss * nsym + 2
            row_s = (2 * sf_sss + 1) * nsym + nsym - 1
            grid[0, row_p, ksync] = pss(n2)
            grid[0, row_s, ksync] = sss(n1, n2, sf_sss)
            used[row_p, centre:centre + 72] = True
            used[row_s, centre:centre + 72] = True
    # PBCH (36.211 §6.6): subframe 0, slot 1, symbols 0-3, skipping 4-port CRS REs
    sym = _qpsk(pbch_frame_bits(spec, sfn))
    ls_, ks_ = [], []
    for l in range(4):
        k = np.arange(72)
        if l in (0, 1) or (l == 3 and spec.cp == "extended"):
            k = k[k % 3 != n_cell % 3]
        ls_.append(np.full(k.size, nsym + l))
        ks_.append(centre + k)
    rows, cols = np.concatenate(ls_), np.concatenate(ks_)
    used[nsym: nsym + 4, centre:centre + 72] = True
    if spec.n_ports == 1:
        grid[0, rows, cols] = sym
    elif spec.n_ports == 2:  # SFBC (36.211 §6.3.4.3)
        x0, x1 = sym[0::2], sym[1::2]
        s = 1 / np.sqrt(2)
        grid[0, rows[0::2], cols[0::2]], grid[1, rows[0::2], cols[0::2]] = s * x0, -s * np.conj(x1)
        grid[0, rows[1::2], cols[1::2]], grid[1, rows[1::2], cols[1::2]] = s * x1, s * np.conj(x0)
    else:  # SFBC-FSTD: REs 4i, 4i+1 on ports 0/2, 4i+2, 4i+3 on ports 1/3
        s = 1 / np.sqrt(2)
        x = sym.reshape(-1, 4)
        r4, c4 = rows.reshape(-1, 4), cols.reshape(-1, 4)
        grid[0, r4[:, 0], c4[:, 0]], grid[2, r4[:, 0], c4[:, 0]] = s * x[:, 0], -s * np.conj(x[:, 1])
        grid[0, r4[:, 1], c4[:, 1]], grid[2, r4[:, 1], c4[:, 1]] = s * x[:, 1], s * np.conj(x[:, 0])
        grid[1, r4[:, 2], c4[:, 2]], grid[3, r4[:, 2], c4[:, 2]] = s * x[:, 2], -s * np.conj(x[:, 3])
        grid[1, r4[:, 3], c4[:, 3]], grid[3, r4[:, 3], c4[:, 3]] = s * x[:, 3], s * np.conj(x[:, 2])
    # PDSCH/PDCCH-like load: QPSK on the other downlink REs, shared over the ports
    free = dl[:, None] & ~used
    if spec.load > 0:
        free &= rng.random(free.shape) < spec.load
        nfree = int(free.sum())
        data = _qpsk(rng.integers(0, 2, 2 * nfree)) / np.sqrt(spec.n_ports)
        for p in range(spec.n_ports):
            grid[p][free] = data * np.exp(2j * np.pi * p * rng.random(nfree))
    return grid, dl


def cell_signal(spec: LteCellSpec, sample_rate_hz: float, num_samples: int, offset_hz: float, ppm: float,
                rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """One cell at baseband offset `offset_hz` (Hz), unit mean power in its downlink subframes, complex64.

    The OFDM is generated at fs_gen = 15 kHz x N (N = 128 x 2^m >= fs), band-limited to +-0.45 fs, then resampled
    to fs (1 + ppm 1e-6) with a windowed-sinc interpolator (receiver sample-clock error) and shifted by
    `offset_hz`. Returns the samples and truth fields (sfn of the first complete frame, frame start).
    """
    nfft = 128
    while nfft * 15e3 < sample_rate_hz * (1 - 1e-9):
        nfft *= 2
    fs_gen = nfft * 15e3
    cps = (np.array([160] + [144] * 6) if spec.cp == "normal" else np.full(6, 512)) * nfft // 2048
    k_vis = int(min(6 * spec.n_rb_dl, np.floor(0.45 * sample_rate_hz / 15e3)))
    kk = np.concatenate([np.arange(-6 * spec.n_rb_dl, 0), np.arange(1, 6 * spec.n_rb_dl + 1)])
    vis = np.abs(kk) <= k_vis
    bins = kk[vis] % nfft
    # static channel per port (frequency domain), unit average power
    if spec.multipath:
        d = np.array([p[0] for p in EPA_PROFILE]) * 1e-9
        pw = 10 ** (np.array([p[1] for p in EPA_PROFILE]) / 10)
        pw /= pw.sum()
        taps = (rng.standard_normal((spec.n_ports, d.size)) + 1j * rng.standard_normal((spec.n_ports, d.size)))
        taps *= np.sqrt(pw / 2)
        chan = taps @ np.exp(-2j * np.pi * np.outer(d, kk[vis] * 15e3))
    else:
        chan = np.exp(2j * np.pi * rng.random((spec.n_ports, 1))) * np.ones((1, int(vis.sum())))
    t_total = num_samples / sample_rate_hz * (1 + ppm * 1e-6) + 0.02
    n_frames = int(np.ceil((t_total + 0.01) / 0.01)) + 1
    lead = spec.frame_start_s % 0.01
    frames = []
    dl_mask = []
    for f in range(n_frames):
        sfn = (spec.sfn0 - 1 + f) % 1024
        g, dl = _frame_grid(spec, sfn, rng)
        rx = np.einsum("psk,pk->sk", g[:, :, vis], chan)
        spec_full = np.zeros((rx.shape[0], nfft), np.complex128)
        spec_full[:, bins] = rx
        td = np.fft.ifft(spec_full, axis=1) * np.sqrt(nfft)
        cp_rows = np.tile(cps, 20)
        parts = [np.concatenate([row[-c:], row]) for row, c in zip(td, cp_rows, strict=True)]
        frames.append(np.concatenate(parts))
        dl_mask.append(np.repeat(dl, [c + nfft for c in cp_rows]))
    sig = np.concatenate(frames)
    mask = np.concatenate(dl_mask)
    p_dl = float(np.mean(np.abs(sig[mask]) ** 2)) if mask.any() else 1.0
    sig /= np.sqrt(p_dl)
    # the generated stream starts one frame before the frame at frame_start_s: t_gen = t + (10 ms - lead)
    t0_gen = (0.01 - lead)
    n = np.arange(num_samples)
    t = n / (sample_rate_hz * (1 + ppm * 1e-6)) + t0_gen  # true time of each received sample
    pos = t * fs_gen
    i0 = np.floor(pos).astype(np.int64)
    frac = pos - i0
    half = 8
    taps_idx = np.arange(-half + 1, half + 1)
    cutoff = min(1.0, sample_rate_hz / fs_gen) * 0.98
    out = np.zeros(num_samples, np.complex128)
    for j in taps_idx:
        dt = j - frac
        w = cutoff * np.sinc(cutoff * dt) * (0.5 + 0.5 * np.cos(np.pi * dt / half))
        idx = np.clip(i0 + j, 0, sig.size - 1)
        out += sig[idx] * w
    out *= np.exp(2j * np.pi * offset_hz * t)
    truth = {"sfn_first_frame": int(spec.sfn0 % 1024), "frame_start_s": round(lead, 9)}
    return out.astype(np.complex64), truth


def lte_scene(cells: list[LteCellSpec], center_freq_hz: float, sample_rate_hz: float = 1.92e6,
              duration_s: float = 0.08, ppm: float = 0.0, noise_dbfs: float = -30.0, seed: int = 1,
              quantise: bool = True) -> tuple[np.ndarray, dict]:
    """A capture holding several LTE cells, AWGN over the sampled band and optional cu8 quantisation.

    Parameters
    ----------
    cells : list of LteCellSpec
        Each at its EARFCN's downlink frequency, with power ``noise_dbfs + snr_db``.
    center_freq_hz, sample_rate_hz, duration_s : float
        Nominal tuning, rate and length.
    ppm : float
        Receiver crystal error (module docstring for the sign).
    noise_dbfs : float
        AWGN power over the whole sampled band (dBFS).
    seed : int
    quantise : bool
        Round to the RTL-SDR's cu8 grid (clipping at full scale).

    Returns
    -------
    (samples complex64, truth dict)
    """
    from ..bands import earfcn_to_freq

    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sample_rate_hz))
    x = np.zeros(n, np.complex64)
    truth = {"generator": "detector.synth.lte_scene", "seed": seed, "sample_rate_hz": sample_rate_hz,
             "center_freq_hz": center_freq_hz, "duration_s": n / sample_rate_hz, "ppm": ppm,
             "noise_dbfs": noise_dbfs, "quantised_cu8": quantise,
             "snr_definition": "mean power of the cell's downlink subframes / noise power over the sampled band",
             "cells": []}
    for spec in cells:
        band, f_rf = earfcn_to_freq(spec.earfcn)
        offset = f_rf + spec.extra_offset_hz - center_freq_hz * (1 + ppm * 1e-6)
        if abs(offset) > sample_rate_hz / 2 - 480e3 + 1:
            raise ValueError(f"EARFCN {spec.earfcn} at {f_rf / 1e6:.1f} MHz: its PSS/SSS do not fit in the capture "
                             f"{center_freq_hz / 1e6:.3f} MHz +- {sample_rate_hz / 2e6:.3f} MHz")
        sig, t = cell_signal(spec, sample_rate_hz, n, offset, ppm, rng)
        p_dbfs = noise_dbfs + spec.snr_db
        x += (10 ** (p_dbfs / 20) * sig).astype(np.complex64)
        entry = {**asdict(spec), "n_id_1": spec.pci // 3, "n_id_2": spec.pci % 3, "band": band, "freq_hz": f_rf,
                 "freq_offset_hz": round(f_rf * (1 - ppm * 1e-6) + spec.extra_offset_hz - f_rf - 0.0, 1),
                 "baseband_offset_hz": round(offset, 1), "power_dbfs": round(p_dbfs, 2),
                 "tdd_pattern": TDD_CONFIGS[spec.tdd_config] if spec.duplex == "tdd" else None, **t}
        truth["cells"].append(entry)
    x = add_awgn(x, noise_dbfs, rng)
    if quantise:
        x = quantise_cu8(x)
    return x.astype(np.complex64), truth


def write_lte_scene(path: str, cells: list[LteCellSpec], center_freq_hz: float, sample_rate_hz: float = 1.92e6,
                    duration_s: float = 0.08, ppm: float = 0.0, noise_dbfs: float = -30.0, seed: int = 1,
                    start: _dt.datetime | None = None) -> dict:
    """Write `lte_scene` as a cu8 SigMF recording with ``<base>.truth.json`` beside it; returns the truth."""
    x, truth = lte_scene(cells, center_freq_hz, sample_rate_hz, duration_s, ppm, noise_dbfs, seed, quantise=True)
    start = start or _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    with SigMFWriter(path, sample_rate_hz, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description="synthetic LTE cells (detector.synth.lte_scene); ground truth in the "
                                 ".truth.json file") as w:
        w.write(IQBlock(x, center_freq_hz, sample_rate_hz, 0, start))
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth


def write_lte_sweep(path: str, cells: list[LteCellSpec], centers_hz: list[float], sample_rate_hz: float = 2.4e6,
                    dwell_s: float = 0.19, ppm: float = 0.0, noise_dbfs: float = -30.0, seed: int = 1) -> dict:
    """Write a cu8 SigMF sweep (one capture per centre frequency, `dwell_s` each) holding the `cells` whose
    PSS/SSS fit in each tuning (`lte_scene`; the others are left out), with ``<base>.truth.json`` beside it;
    returns the truth (``steps``: each tuning's `lte_scene` truth)."""
    from ..bands import earfcn_to_freq

    start = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    steps = []
    with SigMFWriter(path, sample_rate_hz, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description="synthetic LTE sweep (detector.synth.write_lte_sweep); ground truth in the "
                                 ".truth.json file") as w:
        for i, fc in enumerate(centers_hz):
            near = [c for c in cells if abs(earfcn_to_freq(c.earfcn)[1] - fc * (1 + ppm * 1e-6))
                    <= sample_rate_hz / 2 - 480e3 - 60e3]
            x, truth = lte_scene(near, fc, sample_rate_hz, dwell_s, ppm, noise_dbfs, seed + i, quantise=True)
            n = x.size
            w.write(IQBlock(x, fc, sample_rate_hz, i * n, start + _dt.timedelta(seconds=i * dwell_s), segment=i))
            steps.append(truth)
    truth = {"generator": "detector.synth.write_lte_sweep", "seed": seed, "sample_rate_hz": sample_rate_hz,
             "dwell_s": dwell_s, "ppm": ppm, "noise_dbfs": noise_dbfs, "centers_hz": list(centers_hz),
             "steps": steps}
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth


def two_cell_tdd_scene(seed: int = 7) -> tuple[list[LteCellSpec], dict]:
    """The reference scene: two co-channel TD-LTE cells in band 39 (1890 MHz), 10 dB apart, 60 ppm receiver.

    Both cells share N_ID2 = 1 and the network's frame timing (2.1 us apart): the weaker one's PSS hides behind
    the stronger's, so it is found only by cancelling the stronger cell (SSS non-coherently, then its MIB
    after the stronger cell's PBCH and CRS are subtracted).
    """
    cells = [LteCellSpec(pci=253, earfcn=38350, duplex="tdd", n_ports=2, n_rb_dl=100, snr_db=6.0, sfn0=603,
                         frame_start_s=0.0031, tdd_config=2, special_config=7, phich_resource="1/2"),
             LteCellSpec(pci=97, earfcn=38350, duplex="tdd", n_ports=1, n_rb_dl=100, snr_db=-4.0, sfn0=603,
                         frame_start_s=0.0031 + 2.1e-6, tdd_config=2, special_config=7, phich_resource="1")]
    return cells, {"center_freq_hz": 1890e6, "sample_rate_hz": 1.92e6, "duration_s": 0.08, "ppm": 60.0,
                   "noise_dbfs": -28.0, "seed": seed}



def fdd_two_carrier_cells() -> list[LteCellSpec]:
    """A band-3 FDD scene for a 2.4 MS/s capture at 1860.3 MHz: two cells of a 4-port, extended-CP carrier at
    1860.0 MHz (N_ID2 0 and 2, unsynchronised) with EPA multipath."""
    return [LteCellSpec(pci=300, earfcn=1750, duplex="fdd", cp="extended", n_ports=4, n_rb_dl=50, snr_db=3.0,
                        sfn0=17, frame_start_s=0.0071, phich_duration="extended", phich_resource="2",
                        multipath=True),
            LteCellSpec(pci=86, earfcn=1750, duplex="fdd", cp="extended", n_ports=1, n_rb_dl=50, snr_db=-5.0,
                        sfn0=900, frame_start_s=0.0013, phich_resource="1/6", multipath=True)]


def write_reference_recordings(folder: str) -> dict[str, dict]:
    """Write the bundled LTE recordings (fixed seeds; byte-exact on every run) into `folder`; returns their truths.

    * ``lte_tdd_1890M``: `two_cell_tdd_scene` at 1.92 MS/s, 80 ms, 60 ppm receiver, cu8 (307 kB);
    * ``lte_fdd_1860M_2.4M``: `fdd_two_carrier_cells` at 2.4 MS/s, 80 ms, -25 ppm, cu8 (384 kB).
    """
    import os

    cells, kw = two_cell_tdd_scene()
    out = {"lte_tdd_1890M": write_lte_scene(os.path.join(folder, "lte_tdd_1890M"), cells, **kw)}
    out["lte_fdd_1860M_2.4M"] = write_lte_scene(os.path.join(folder, "lte_fdd_1860M_2.4M"), fdd_two_carrier_cells(),
                                                1860.3e6, 2.4e6, 0.08, ppm=-25.0, noise_dbfs=-26.0, seed=11)
    return out


def write_two_cell_tdd_scene(path: str, seed: int | None = None, ppm: float | None = None,
                             duration_s: float | None = None) -> dict:
    """``detector synth lte-tdd`` : `two_cell_tdd_scene` written as cu8 SigMF (+ truth), with overrides."""
    cells, kw = two_cell_tdd_scene()
    if seed is not None:
        kw["seed"] = seed
    if ppm is not None:
        kw["ppm"] = ppm
    if duration_s is not None:
        kw["duration_s"] = duration_s
    return write_lte_scene(path, cells, **kw)
