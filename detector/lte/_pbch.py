"""PBCH reception (36.211 §6.6, 36.212 §5.3.1): CRS channel estimates, SFBC / SFBC-FSTD combining,
descrambling, rate de-matching, tail-biting Viterbi and the CRC with its antenna-port mask.

The PBCH sits in symbols 0-3 of slot 1 of subframe 0 on the 72 central subcarriers, skipping the REs
reserved for the CRS of 4 ports (k mod 3 = v_shift mod 3 in symbols 0 and 1, and symbol 3 with extended
CP). One frame carries 240 (normal CP) or 216 (extended) QPSK symbols, a quarter of the 40 ms TTI's
1920 / 1728 rate-matched bits, scrambled with c(n) of c_init = N_cell from the frame with SFN mod 4 = 0.
Each quarter holds the 120 coded bits 4 (or 3.6) times, so one frame decodes alone; frames of one TTI are
combined. The frame phase (SFN mod 4) is unknown: all 4 are tried, with 1, 2 and 4 ports, and the
hypothesis whose CRC matches its port mask wins (the 2 SFN LSBs come from the phase).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ._coding import PORT_MASKS, crc16, rate_match_indices, viterbi_tailbiting
from ._crs import crs_ls, crs_symbols, interp_freq, n_symb, smooth_freq
from ._mib import parse_mib
from ._ofdm import CellTiming, demod
from ._sequences import gold

#: Width (subcarriers) of the moving average applied to channel estimates across frequency.
SMOOTH_SC = 7

__all__ = ["subframe0_channel", "pbch_precode", "subframe0_reconstruction", "pbch_re_map", "pbch_bits_per_frame",
           "MibResult", "decode_pbch", "pbch_llrs", "sfbc_combine"]


def subframe0_frames(timing: CellTiming, num_samples: int) -> np.ndarray:
    """Indices of the radio frames whose subframe 0 (PBCH and the CRS around it) lies inside the capture."""
    per = 19200 * timing.clock
    first = int(np.ceil((-7 - timing.frame_start) / per - 1e-9))  # symbol 0's window starts 10 - BACKOFF in
    last = int(np.floor((num_samples - 1920 * timing.clock - timing.frame_start) / per + 1e-9))
    return np.arange(first, last + 1)


def pbch_bits_per_frame(cp: str) -> int:
    """Bits of the PBCH per radio frame: 480 (normal CP) or 432 (extended CP)."""
    return 480 if cp == "normal" else 432


def pbch_re_map(n_cell: int, cp: str) -> tuple[np.ndarray, np.ndarray]:
    """(l, k) of the PBCH REs in mapping order (k first, then l; 36.211 §6.6.4), slot 1 symbols 0-3."""
    vs = n_cell % 3
    ls, ks = [], []
    for l in range(4):
        k = np.arange(72)
        if l in (0, 1) or (l == 3 and cp == "extended"):
            k = k[k % 3 != vs]
        ls.append(np.full(k.size, l))
        ks.append(k)
    return np.concatenate(ls), np.concatenate(ks)


def sfbc_combine(r: np.ndarray, ha: np.ndarray, hb: np.ndarray) -> np.ndarray:
    """Alamouti/SFBC combining of RE pairs (36.211 §6.3.4.3): returns estimates of x(2i), x(2i+1) (unnormalised).

    Transmit: RE 2i carries (x0, -x1*) on the two ports, RE 2i+1 carries (x1, x0*).
    """
    r0, r1 = r[..., 0::2], r[..., 1::2]
    h0 = 0.5 * (ha[..., 0::2] + ha[..., 1::2])
    h1 = 0.5 * (hb[..., 0::2] + hb[..., 1::2])
    x0 = np.conj(h0) * r0 + h1 * np.conj(r1)
    x1 = np.conj(h0) * r1 - h1 * np.conj(r0)
    out = np.empty(r.shape, np.complex128)
    out[..., 0::2], out[..., 1::2] = x0, x1
    return out


def subframe0_channel(x: np.ndarray, timing: CellTiming, n_cell: int, frame: int
                      ) -> tuple[dict, dict[int, np.ndarray], float]:
    """Demodulated symbols of subframe 0 of `frame` and the channel of each port 0-3 on the 72 central subcarriers.

    Channel: least-squares at the CRS of subframe 0 (ports 0/1: symbols 0 and N_symb - 3 of both slots;
    ports 2/3: symbol 1 of both slots), linear in frequency, averaged over those symbols (the residual carrier
    offset is corrected to a few Hz first) and smoothed over `SMOOTH_SC` subcarriers.

    Returns
    -------
    (symbols {(slot, l): (72,)}, channel {port: (72,)}, noise variance per RE)
    """
    cp = timing.cp
    ns3 = n_symb(cp) - 3
    syms = [(0, 0), (0, 1), (0, ns3), (1, 0), (1, 1), (1, 2), (1, 3), (1, ns3)]
    starts = np.array([timing.symbol(frame, 0, s, l) for s, l in syms])
    y = demod(x, starts, 72).astype(np.complex128)
    yd = {sl: y[i] for i, sl in enumerate(syms)}
    _, ha = crs_ls(yd[(1, 0)], n_cell, 0, 1, 0, cp)
    d = ha[1:-1] - 0.5 * (ha[:-2] + ha[2:])
    noise = float(np.mean(np.abs(d) ** 2) / 1.5) or 1e-12
    h = {}
    for port in range(4):
        est = []
        for s, l in syms:
            if l in crs_symbols(port, cp):
                k, ls = crs_ls(yd[(s, l)], n_cell, port, s, l, cp)
                est.append(interp_freq(k, ls))
        h[port] = smooth_freq(np.mean(est, axis=0), SMOOTH_SC)
    return yd, h, noise


def pbch_precode(symbols: np.ndarray, n_ports: int) -> np.ndarray:
    """Transmit precoding of the PBCH's QPSK symbols (36.211 §6.3.4.1/6.3.4.3): shape (n_ports, n)."""
    x = np.asarray(symbols, dtype=np.complex128)
    out = np.zeros((n_ports, x.size), np.complex128)
    s = 1 / np.sqrt(2)
    if n_ports == 1:
        out[0] = x
    elif n_ports == 2:
        out[0, 0::2], out[1, 0::2] = s * x[0::2], -s * np.conj(x[1::2])
        out[0, 1::2], out[1, 1::2] = s * x[1::2], s * np.conj(x[0::2])
    elif n_ports == 4:
        q = x.reshape(-1, 4)
        o = out.reshape(4, -1, 4)
        o[0, :, 0], o[2, :, 0] = s * q[:, 0], -s * np.conj(q[:, 1])
        o[0, :, 1], o[2, :, 1] = s * q[:, 1], s * np.conj(q[:, 0])
        o[1, :, 2], o[3, :, 2] = s * q[:, 2], -s * np.conj(q[:, 3])
        o[1, :, 3], o[3, :, 3] = s * q[:, 3], s * np.conj(q[:, 2])
    else:
        raise ValueError(f"n_ports must be 1, 2 or 4, not {n_ports}")
    return out


def pbch_llrs(x: np.ndarray, timing: CellTiming, n_cell: int, frame: int) -> tuple[dict[int, np.ndarray], float]:
    """Soft bits (before descrambling) of one frame's PBCH under 1, 2 and 4 ports; and the noise variance
    (channel from `subframe0_channel`)."""
    cp = timing.cp
    yd, hh, noise = subframe0_channel(x, timing, n_cell, frame)
    h = {p: np.repeat(v[None, :], 4, axis=0) for p, v in hh.items()}
    lidx, kidx = pbch_re_map(n_cell, cp)
    r = np.stack([yd[(1, l)] for l in range(4)])[lidx, kidx]
    hp = {p: h[p][lidx, kidx] for p in h}
    out = {}
    x1 = np.conj(hp[0]) * r
    out[1] = x1
    out[2] = sfbc_combine(r, hp[0], hp[1])
    x4 = np.empty_like(r, dtype=np.complex128)
    n = r.size // 4 * 4
    q = np.arange(n).reshape(-1, 4)
    x4[q[:, :2].reshape(-1)] = sfbc_combine(r[q[:, :2].reshape(-1)], hp[0][q[:, :2].reshape(-1)],
                                            hp[2][q[:, :2].reshape(-1)])
    x4[q[:, 2:].reshape(-1)] = sfbc_combine(r[q[:, 2:].reshape(-1)], hp[1][q[:, 2:].reshape(-1)],
                                            hp[3][q[:, 2:].reshape(-1)])
    out[4] = x4
    llrs = {}
    for p, xe in out.items():
        ll = np.empty(2 * xe.size)
        ll[0::2], ll[1::2] = xe.real, xe.imag  # QPSK (36.211 §7.1.2): b0 -> I, b1 -> Q, bit 0 -> +
        llrs[p] = ll * (2 * np.sqrt(2) / noise)
    return llrs, noise


@dataclass
class MibResult:
    """A PBCH decoded with a passing CRC.

    Attributes
    ----------
    n_ports : int
    n_rb_dl : int
    phich : dict
    sfn : int
        SFN of the capture's first complete radio frame (`first_frame`).
    first_frame : int
        Frame index (relative to the timing's frame_start) `sfn` refers to.
    frame_phase : int
        SFN mod 4 of `first_frame`.
    ttis_decoded, ttis_tried : int
    metric : float
        Re-encoded agreement of the best decode (1.0 = every soft bit agrees).
    bits : list of int
        The 24 MIB bits.
    combined : bool
        Decoded by combining all TTIs of the capture (`_cross_tti`), no single TTI passing alone.
    """

    n_ports: int
    n_rb_dl: int
    phich: dict
    sfn: int
    first_frame: int
    frame_phase: int
    ttis_decoded: int
    ttis_tried: int
    metric: float
    bits: list = field(default_factory=list)
    combined: bool = False


def decode_pbch(x: np.ndarray, timing: CellTiming, n_cell: int, max_frames: int = 16,
                combine: bool = True) -> MibResult | None:
    """Decode the MIB of a cell in a carrier-corrected 1.92 MS/s capture, or None if no CRC passes.

    Parameters
    ----------
    x : ndarray of complex
    timing : CellTiming
    n_cell : int
        Physical cell identity (0..503).
    max_frames : int
        Radio frames used at most (from the first complete one).
    combine : bool
        When no single 40 ms TTI passes, soft-combine all of them (`_cross_tti`: 256 SFN hypotheses, ~0.5 s).
    """
    if not 0 <= n_cell <= 503:
        raise ValueError(f"n_cell must be in 0..503, not {n_cell!r}")
    frames = subframe0_frames(timing, x.size)[:max_frames]
    if frames.size == 0:
        return None
    e = pbch_bits_per_frame(timing.cp)
    c = gold(n_cell, 4 * e).astype(np.float64)
    sign = 1 - 2 * c
    rm = rate_match_indices(40, 4 * e)
    llr = {1: [], 2: [], 4: []}
    noises = []
    for f in frames:
        ll, nv = pbch_llrs(x, timing, n_cell, int(f))
        noises.append(nv)
        for p in llr:
            llr[p].append(ll[p])
    # one noise level for all frames (a per-frame estimate from 12 pilots is itself noisy and would weight
    # the frames at random): undo the per-frame scaling, apply the median
    med = float(np.median(noises))
    for p in llr:
        llr[p] = [v * (nv / med) for v, nv in zip(llr[p], noises, strict=True)]
    nf = frames.size
    bufs, keys = [], []
    for j0 in range(4):
        phase = (j0 + np.arange(nf)) % 4
        tti = (j0 + np.arange(nf)) // 4
        for p in (1, 2, 4):
            for g in np.unique(tti):
                acc = np.zeros(120)
                for i in np.nonzero(tti == g)[0]:
                    sl = slice(phase[i] * e, phase[i] * e + e)
                    acc += np.bincount(rm[sl], weights=llr[p][i] * sign[sl], minlength=120)
                bufs.append(acc.reshape(3, 40))
                keys.append((j0, p, int(g)))
    bits, metric = viterbi_tailbiting(np.stack(bufs))
    passed = []
    combined = False
    for (j0, p, g), b, m in zip(keys, bits, metric, strict=True):
        if np.array_equal(crc16(b[:24]) ^ b[24:], PORT_MASKS[p]):
            passed.append((j0, p, g, b, float(m)))
    if not passed and combine and len({k[2] for k in keys}) >= 2:
        passed = _cross_tti(keys, bufs)
        combined = bool(passed)
    if not passed:
        return None
    # the hypothesis (phase, ports) with the most TTIs passing, then the best agreement
    votes: dict[tuple[int, int], list] = {}
    for j0, p, g, b, m in passed:
        votes.setdefault((j0, p), []).append((g, b, m))
    (j0, p), items = max(votes.items(), key=lambda kv: (len(kv[1]), max(i[2] for i in kv[1])))
    g, b, m = max(items, key=lambda i: i[2])
    try:
        mib = parse_mib(b[:24])
    except ValueError:
        return None
    # SFN of frame index frames[0]: TTI g starts at relative frame 4 g - j0 with SFN 4 * sfn_msb
    sfn0 = (4 * mib["sfn_msb"] - (4 * g - j0)) % 1024
    n_tti = len({k[2] for k in keys if k[0] == j0 and k[1] == p})
    return MibResult(p, mib["n_rb_dl"], mib["phich"], int(sfn0), int(frames[0]), int(j0),
                     n_tti if combined else len(items), n_tti, m, b[:24].tolist(), combined)


def subframe0_reconstruction(x: np.ndarray, timing: CellTiming, n_cell: int, mib: MibResult) -> list[tuple[float,
                                                                                                          np.ndarray]]:
    """The known part of a decoded cell's subframe 0 in each frame (CRS of its ports, PBCH of its MIB) as seen
    through its estimated channel: a list of (symbol FFT-window start, 72 subcarrier values) to cancel."""
    from ._coding import conv_encode, rate_match
    from ._crs import crs_positions
    from ._mib import encode_mib
    from ._sequences import crs_sequence

    cp = timing.cp
    ns3 = n_symb(cp) - 3
    e = pbch_bits_per_frame(cp)
    lidx, kidx = pbch_re_map(n_cell, cp)
    out = []
    for f in subframe0_frames(timing, x.size):
        sfn = (mib.sfn + int(f) - mib.first_frame) % 1024
        a = encode_mib(mib.n_rb_dl, mib.phich["duration"], mib.phich["resource"], sfn)
        c = np.concatenate([a, crc16(a) ^ PORT_MASKS[mib.n_ports]])
        bits = (rate_match(conv_encode(c), 4 * e) ^ gold(n_cell, 4 * e))[(sfn % 4) * e:(sfn % 4 + 1) * e]
        b = bits.reshape(-1, 2).astype(np.float64)
        qpsk = ((1 - 2 * b[:, 0]) + 1j * (1 - 2 * b[:, 1])) / np.sqrt(2)
        pre = pbch_precode(qpsk, mib.n_ports)
        _, h, _ = subframe0_channel(x, timing, n_cell, int(f))
        grid = {}
        for slot, l in [(0, 0), (0, 1), (0, ns3), (1, 0), (1, 1), (1, 2), (1, 3), (1, ns3)]:
            g = np.zeros(72, np.complex128)
            for p in range(mib.n_ports):
                if l in crs_symbols(p, cp):
                    k = crs_positions(n_cell, p, slot, l, cp)
                    g[k] += h[p][k] * crs_sequence(n_cell, slot, l, cp)
            grid[(slot, l)] = g
        for p in range(mib.n_ports):
            for l in range(4):
                sel = lidx == l
                grid[(1, l)][kidx[sel]] += h[p][kidx[sel]] * pre[p, sel]
        for (slot, l), g in grid.items():
            out.append((float(timing.symbol(int(f), 0, slot, l)), g))
    return out


@lru_cache(maxsize=1)
def _sfn_difference_codewords() -> np.ndarray:
    """Coded bits (256, 3, 40) of a MIB whose only non-zero field is the SFN-MSB field v (plus its CRC, no mask):
    by linearity, the codeword of SFN MSBs m XOR that of m' is row m XOR m'."""
    from ._coding import conv_encode

    out = np.zeros((256, 3, 40), np.uint8)
    for v in range(256):
        a = np.zeros(24, np.uint8)
        a[6:14] = [(v >> (7 - i)) & 1 for i in range(8)]
        out[v] = conv_encode(np.concatenate([a, crc16(a)]))
    return out


def _cross_tti(keys: list, bufs: list) -> list:
    """Soft-combine every 40 ms TTI of the capture into one decode (36.212 §5.3.1 is linear over GF(2)).

    TTI g carries the MIB of SFN MSBs m0 + g: its codeword is TTI 0's XOR the codeword of the field
    m0 XOR (m0 + g). For each hypothesis m0 (256) the LLRs of TTI g are sign-flipped accordingly and summed;
    a decode counts only if its CRC matches the port mask and its own SFN field equals m0.
    """
    diff = _sfn_difference_codewords().astype(np.float64)
    m0 = np.arange(256)
    groups: dict[tuple[int, int], list] = {}
    for (j0, p, g), b in zip(keys, bufs, strict=True):
        groups.setdefault((j0, p), []).append((g, b))
    batch, meta = [], []
    for (j0, p), items in groups.items():
        g = np.array([i[0] for i in items])
        b = np.stack([i[1] for i in items])  # (G, 3, 40)
        v = m0[:, None] ^ ((m0[:, None] + g[None, :]) % 256)  # (256, G)
        sign = 1 - 2 * diff[v]  # (256, G, 3, 40)
        batch.append(np.einsum("mgcd,gcd->mcd", sign, b))
        meta.extend((j0, p, int(m)) for m in m0)
    bits, metric = viterbi_tailbiting(np.concatenate(batch), n_wrap=2)
    passed = []
    for (j0, p, m), b, met in zip(meta, bits, metric, strict=True):
        if np.array_equal(crc16(b[:24]) ^ b[24:], PORT_MASKS[p]):
            field_v = int("".join(map(str, b[6:14].tolist())), 2)
            if field_v == m:
                passed.append((j0, p, 0, b, float(met)))
    return passed
