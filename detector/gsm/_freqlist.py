"""Frequency lists of the System Information messages (TS 44.018 §10.5.2.1b, §10.5.2.13, §10.5.2.22).

The 16-octet Cell Channel Description (SI1), Neighbour Cell Description (SI2, SI2bis) and Neighbour
Cell Description 2 (SI2ter) share one coding with six formats, told apart by the format identifier
bits of the first octet (bits 8, 7 and 4, 3, 2):

====================  =============  ===================================================
format                ID bits        content
====================  =============  ===================================================
bit map 0             ``00xxx``      ARFCN 1..124 as a bitmap (octet 16 bit 1 = ARFCN 1)
range 1024            ``10 0xx``     F0 (ARFCN 0) + W(1..16), W(1) 10 bits
range 512             ``10 100``     ORIG-ARFCN + W(1..17), W(1) 9 bits
range 256             ``10 101``     ORIG-ARFCN + W(1..21), W(1) 8 bits
range 128             ``10 110``     ORIG-ARFCN + W(1..28), W(1) 7 bits
variable bit map      ``10 111``     ORIG-ARFCN + RRFCN bits 1..111
====================  =============  ===================================================

The range formats encode a binary tree of ARFCNs (TS 44.018 Annex J); W(k) at tree level l has
``log2(range) - l`` bits. Decoding follows the recursive algorithm of §10.5.2.13.3 (as libosmocore's
``gsm48_decode_freq_list`` does with unrolled formulas); encoding follows Annex J. Both directions
are needed: the receiver decodes, the signal generator encodes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["decode_freq_list", "encode_freq_list", "FREQ_LIST_FORMATS"]

#: Format names, as reported in parsed messages.
FREQ_LIST_FORMATS = ("bitmap0", "range1024", "range512", "range256", "range128", "variable_bitmap")
_RANGE = {"range1024": 1024, "range512": 512, "range256": 256, "range128": 128}
_FORMAT_ID = {"range512": 0x88, "range256": 0x8A, "range128": 0x8C, "variable_bitmap": 0x8E}


def _smod(n: int, m: int) -> int:
    """``n smod m`` of TS 44.018: the residue in 1..m."""
    return (n - 1) % m + 1


class _BitReader:
    def __init__(self, data: bytes, offset: int):
        self.bits = np.unpackbits(np.frombuffer(bytes(data), np.uint8))
        self.pos = offset

    def left(self) -> int:
        return self.bits.size - self.pos

    def read(self, n: int) -> int:
        v = 0
        for b in self.bits[self.pos: self.pos + n]:
            v = (v << 1) | int(b)
        self.pos += n
        return v


def _format_of(first: int, mask: int) -> str:
    fb = first & mask
    if fb & 0xC0 == 0x00:
        return "bitmap0"
    if fb & 0xC8 == 0x80:
        return "range1024"
    for name, ident in _FORMAT_ID.items():
        if fb & 0xCE == ident:
            return name
    raise ValueError(f"frequency list: unknown format identifier in octet 0x{first:02x}")


def _range_value(w: list[int], k: int, rng: int) -> int:
    """F(K) of TS 44.018 §10.5.2.13.3 for W(1..) in `w` (index 0 unused)."""
    index = k
    j = 1 << (index.bit_length() - 1)
    n = w[index]
    while index > 1:
        if 2 * index < 3 * j:  # left child
            index -= j // 2
            n = _smod(n + w[index] - rng // j, 2 * rng // j - 1)
        else:  # right child
            index -= j
            n = _smod(n + w[index], 2 * rng // j - 1)
        j //= 2
    return n


def decode_freq_list(data: bytes, mask: int = 0xCE) -> tuple[list[int], str]:
    """Decode a frequency list value part (normally 16 octets) to ARFCNs.

    Parameters
    ----------
    data : bytes
        The IE value, starting with the octet that holds the format identifier.
    mask : int
        Bits of the first octet that belong to the format identifier: 0xCE for the Cell Channel and
        Neighbour Cell Descriptions (bits 6/5 are EXT-IND/BA-IND or spare), 0x8E for Neighbour Cell
        Description 2 of SI2ter (bits 7/6 are the multiband-reporting field).

    Returns
    -------
    arfcns : list of int
        Sorted, without duplicates.
    fmt : str
        One of `FREQ_LIST_FORMATS`.

    Raises
    ------
    ValueError
        For an empty list value or an unknown format identifier.

    Examples
    --------
    >>> decode_freq_list(bytes.fromhex("8fb38000000000000000000000000000"))   # SI1 of osmo-ttcn3-hacks
    ([871], 'variable_bitmap')
    """
    data = bytes(data)
    if not data:
        raise ValueError("frequency list: empty")
    fmt = _format_of(data[0], mask)
    out: set[int] = set()
    if fmt == "bitmap0":
        if len(data) < 16:
            raise ValueError(f"frequency list: bit map 0 needs 16 octets, got {len(data)}")
        for arfcn in range(1, 125):
            if data[15 - (arfcn - 1) // 8] >> ((arfcn - 1) % 8) & 1:
                out.add(arfcn)
    elif fmt == "variable_bitmap":
        r = _BitReader(data, 7)
        orig = r.read(10)
        out.add(orig)
        i = 1
        while r.left() > 0:
            if r.read(1):
                out.add((orig + i) % 1024)
            i += 1
    else:
        rng = _RANGE[fmt]
        if fmt == "range1024":
            if data[0] >> 2 & 1:  # F0
                out.add(0)
            r = _BitReader(data, 6)
            orig = None
        else:
            r = _BitReader(data, 7)
            orig = r.read(10)
            out.add(orig)
        w = [0]
        top = rng.bit_length() - 1  # bits of W(1)
        k = 1
        while True:
            width = top - (k.bit_length() - 1)
            if width < 1 or r.left() < width:
                break
            w.append(r.read(width))
            k += 1
        for k in range(1, len(w)):
            if w[k] == 0:
                continue
            f = _range_value(w, k, rng)
            out.add(f if orig is None else (orig + f) % 1024)
    return sorted(out), fmt


# -------------------------------------------------------------------------------------- encoding


def _encode_subtree(values: list[int], rng: int) -> list[int]:
    """W in local level order (index 0 unused) for values on the circle 1..rng-1 (Annex J)."""
    n = len(values)
    if n == 0:
        return [0]
    m = rng - 1
    half = rng // 2
    n_left = n // 2
    vals = list(values)  # candidates tried in the given order (as OsmoBSC's range_enc_find_index does)
    for p in vals:
        left = [v for v in vals if v != p and _smod(v - p + half, m) <= half - 1]
        if len(left) != n_left:
            continue
        right = [v for v in vals if v != p and v not in left]
        # the subtrees keep the parent's order (OsmoBSC's tie-break among valid pivots)
        wl = _encode_subtree([_smod(v - p + half, m) for v in left], half)
        wr = _encode_subtree([_smod(v - p, m) for v in right], half)
        w = [0] * (max(2 * len(wl) - 1, 2 * len(wr), 2))
        w[1] = p
        for i in range(1, len(wl)):
            w[2 * i] = wl[i]
        for i in range(1, len(wr)):
            w[2 * i + 1] = wr[i]
        return w
    raise ValueError(f"frequency list: no pivot splits {vals} in range {rng}")


def _capacity(fmt: str) -> int:
    rng = _RANGE[fmt]
    top = rng.bit_length() - 1
    avail = 16 * 8 - (6 if fmt == "range1024" else 17)
    k = 0
    while True:
        width = top - ((k + 1).bit_length() - 1)
        if width < 1 or avail < width:
            return k
        avail -= width
        k += 1


def encode_freq_list(arfcns, fmt: str | None = None, first_octet_bits: int = 0) -> bytes:
    """Encode ARFCNs as a 16-octet frequency list in the given (or the most compact) format.

    Parameters
    ----------
    arfcns : iterable of int
        ARFCNs 0..1023.
    fmt : str, optional
        One of `FREQ_LIST_FORMATS`; by default bit map 0 when all ARFCNs are 1..124, else the
        narrowest range format that holds them, else variable bit map, else range 1024.
    first_octet_bits : int
        Bits 6/5 (0x30) of the first octet: EXT-IND and BA-IND of a Neighbour Cell Description.

    Returns
    -------
    bytes
        16 octets.

    Raises
    ------
    ValueError
        When the ARFCNs do not fit the format.

    Examples
    --------
    >>> data = encode_freq_list([1, 17, 62, 124])
    >>> decode_freq_list(data)
    ([1, 17, 62, 124], 'bitmap0')
    >>> decode_freq_list(encode_freq_list([512, 530, 600, 700], fmt="range512"))
    ([512, 530, 600, 700], 'range512')
    """
    a = sorted({int(x) for x in arfcns})
    if any(not 0 <= x <= 1023 for x in a):
        raise ValueError("frequency list: ARFCNs must be 0..1023")
    if fmt is None:
        fmt = _choose_format(a)
    if fmt not in FREQ_LIST_FORMATS:
        raise ValueError(f"frequency list: format must be one of {FREQ_LIST_FORMATS}, got {fmt!r}")
    bits = np.zeros(128, np.uint8)

    def put(pos: int, width: int, value: int) -> int:
        for i in range(width):
            bits[pos + i] = (value >> (width - 1 - i)) & 1
        return pos + width

    if fmt == "bitmap0":
        if any(not 1 <= x <= 124 for x in a):
            raise ValueError("frequency list: bit map 0 holds ARFCN 1..124 only")
        out = bytearray(16)
        for x in a:
            out[15 - (x - 1) // 8] |= 1 << ((x - 1) % 8)
        out[0] |= first_octet_bits & 0x30
        return bytes(out)
    if fmt == "variable_bitmap":
        if not a:
            raise ValueError("frequency list: the variable bit map needs at least one ARFCN")
        try:
            orig, offs = _best_origin(a, 112)
        except ValueError:
            raise ValueError("frequency list: the variable bit map spans ORIG-ARFCN + 1..111 only") from None
        pos = put(7, 10, orig)
        for o in offs:
            bits[pos + o - 1] = 1
        head = 0x8E
    else:
        rng = _RANGE[fmt]
        if fmt == "range1024":
            f0 = 0 in a
            values = [x for x in a if x != 0]
            pos = 6
            head = 0x80 | (0x04 if f0 else 0)
        else:
            if not a:
                raise ValueError(f"frequency list: {fmt} needs at least one ARFCN")
            orig, values = _best_origin(a, rng)
            pos = put(7, 10, orig)
            head = _FORMAT_ID[fmt]
        if len(values) > _capacity(fmt):
            raise ValueError(f"frequency list: {len(values)} ARFCNs exceed the {fmt} capacity {_capacity(fmt)}")
        w = _encode_subtree(values, rng) if values else [0]
        top = rng.bit_length() - 1
        for k in range(1, len(w)):
            width = top - (k.bit_length() - 1)
            pos = put(pos, width, w[k])
    out = bytearray(np.packbits(bits).tobytes())
    keep = 0x03 if fmt == "range1024" else 0x01  # W(1) high bits / ORIG-ARFCN high bit
    out[0] = head | (first_octet_bits & 0x30) | (out[0] & keep)
    return bytes(out)


def _best_origin(a: list[int], rng: int) -> tuple[int, list[int]]:
    for orig in a:
        offs = [(x - orig) % 1024 for x in a if x != orig]
        if all(1 <= o <= rng - 1 for o in offs):
            return orig, offs
    raise ValueError(f"frequency list: ARFCNs {a} span more than range {rng}")


def _choose_format(a: list[int]) -> str:
    if a and all(1 <= x <= 124 for x in a):
        return "bitmap0"
    for fmt in ("range128", "range256", "range512"):
        try:
            _, offs = _best_origin(a, _RANGE[fmt])
        except ValueError:
            continue
        if len(offs) <= _capacity(fmt):
            return fmt
    try:
        if a:
            _best_origin(a, 112)
            return "variable_bitmap"
    except ValueError:
        pass
    return "range1024"
