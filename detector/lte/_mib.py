"""MasterInformationBlock (36.331 §6.2.2): 24 bits, packed by ASN.1 unaligned PER.

dl-Bandwidth ENUMERATED {n6, n15, n25, n50, n75, n100} (3 bits), phich-Config {phich-Duration ENUMERATED
{normal, extended} (1 bit), phich-Resource ENUMERATED {oneSixth, half, one, two} (2 bits)},
systemFrameNumber BIT STRING (SIZE (8)) (the 8 most significant bits of the 10-bit SFN), spare (10 bits).
"""

from __future__ import annotations

import numpy as np

from ._constants import N_RB_VALUES, PHICH_NG

__all__ = ["encode_mib", "parse_mib"]


def encode_mib(n_rb_dl: int, phich_duration: str = "normal", phich_resource: str = "1", sfn: int = 0) -> np.ndarray:
    """The 24 MIB bits (uint8, a0 first) for a cell; `sfn` is the full 10-bit SFN (its 8 MSBs are sent).

    Examples
    --------
    >>> "".join(map(str, encode_mib(50, "normal", "1", sfn=120)))
    '011010000111100000000000'
    """
    if n_rb_dl not in N_RB_VALUES:
        raise ValueError(f"n_rb_dl must be one of {N_RB_VALUES}, not {n_rb_dl!r}")
    if phich_duration not in ("normal", "extended"):
        raise ValueError(f"phich_duration must be 'normal' or 'extended', not {phich_duration!r}")
    if phich_resource not in PHICH_NG:
        raise ValueError(f"phich_resource must be one of {PHICH_NG}, not {phich_resource!r}")
    if not 0 <= sfn <= 1023:
        raise ValueError(f"sfn must be in 0..1023, not {sfn!r}")
    v = (N_RB_VALUES.index(n_rb_dl) << 21) | ((phich_duration == "extended") << 20) \
        | (PHICH_NG.index(phich_resource) << 18) | ((sfn >> 2) << 10)
    return np.array([(v >> (23 - i)) & 1 for i in range(24)], np.uint8)


def parse_mib(bits) -> dict:
    """Fields of the 24 MIB bits: n_rb_dl, phich {duration, resource}, sfn_msb (8 MSBs), spare.

    Raises
    ------
    ValueError
        dl-Bandwidth holds a value outside the enumeration (6 and 7 are not defined).

    Examples
    --------
    >>> m = parse_mib(encode_mib(50, "normal", "1", sfn=120)); m["n_rb_dl"], m["phich"], m["sfn_msb"]
    (50, {'duration': 'normal', 'resource': '1'}, 30)
    """
    b = np.asarray(bits, dtype=np.int64)
    if b.shape != (24,):
        raise ValueError(f"a MIB is 24 bits, got shape {b.shape}")
    v = int("".join(map(str, b.tolist())), 2)
    bw = v >> 21
    if bw >= len(N_RB_VALUES):
        raise ValueError(f"dl-Bandwidth value {bw} is not defined (0..5)")
    return {"n_rb_dl": N_RB_VALUES[bw],
            "phich": {"duration": "extended" if (v >> 20) & 1 else "normal", "resource": PHICH_NG[(v >> 18) & 3]},
            "sfn_msb": (v >> 10) & 0xFF, "spare": v & 0x3FF}
