"""Sample formats and the one conversion of each to complex64.

The SDR ecosystem disagrees on how unsigned 8-bit RTL-SDR samples map to floats
(rtl_433 and sigmf use ``(b - 128) / 128``, gr-osmosdr ``(b - 127.4) / 128``, others
``(b - 127.5) / 127.5``). We choose **(b - 127.5) / 127.5** once, here: it is symmetric
(0 -> -1.0, 255 -> +1.0), puts no DC offset into the data, and is exactly invertible by
`from_complex64` ``round(x * 127.5 + 127.5)``. Signed formats scale by 2**(bits-1):
ci8 ``b / 128``, ci16 ``b / 32768``. Floats are taken as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import FormatError

__all__ = ["SampleFormat", "FORMATS", "sample_format", "to_complex64", "from_complex64"]


@dataclass(frozen=True)
class SampleFormat:
    """An interleaved I/Q sample format.

    Attributes
    ----------
    name : str
        SigMF ``core:datatype`` name (``cu8``, ``ci8``, ``ci16_le``, ``cf32_le``, ...).
    component_dtype : numpy.dtype
        dtype of one I or Q component on disk.
    offset, scale : float
        complex64 value = (component - offset) / scale.
    """

    name: str
    component_dtype: np.dtype
    offset: float
    scale: float

    @property
    def bytes_per_sample(self) -> int:
        """Bytes of one complex sample (I and Q)."""
        return 2 * self.component_dtype.itemsize

    @property
    def is_float(self) -> bool:
        """True for floating-point formats (which can hold NaN/inf)."""
        return self.component_dtype.kind == "f"


FORMATS: dict[str, SampleFormat] = {
    f.name: f
    for f in (
        SampleFormat("cu8", np.dtype("u1"), 127.5, 127.5),
        SampleFormat("ci8", np.dtype("i1"), 0.0, 128.0),
        SampleFormat("ci16_le", np.dtype("<i2"), 0.0, 32768.0),
        SampleFormat("ci16_be", np.dtype(">i2"), 0.0, 32768.0),
        SampleFormat("cf32_le", np.dtype("<f4"), 0.0, 1.0),
        SampleFormat("cf32_be", np.dtype(">f4"), 0.0, 1.0),
        SampleFormat("cf64_le", np.dtype("<f8"), 0.0, 1.0),
    )
}

#: Names users type, mapped to the SigMF datatype they mean.
_ALIASES = {
    "cu8": "cu8", "u8": "cu8", "cu8_le": "cu8", "cu8_be": "cu8",
    "cs8": "ci8", "ci8": "ci8", "s8": "ci8", "ci8_le": "ci8", "ci8_be": "ci8",
    "cs16": "ci16_le", "ci16": "ci16_le", "ci16_le": "ci16_le", "cs16_le": "ci16_le", "s16": "ci16_le",
    "ci16_be": "ci16_be",
    "cf32": "cf32_le", "cf32_le": "cf32_le", "fc32": "cf32_le", "cfile": "cf32_le", "f32": "cf32_le",
    "cf32_be": "cf32_be",
    "cf64": "cf64_le", "cf64_le": "cf64_le",
}


def sample_format(name: str) -> SampleFormat:
    """Look up a sample format by SigMF datatype or common alias (``cs8``, ``cs16``, ``cfile``).

    Raises
    ------
    FormatError
        If the name is not a complex format we read; the message lists the ones we do.
    """
    key = _ALIASES.get(str(name).strip().lower())
    if key is None:
        raise FormatError(
            f"unknown sample datatype {name!r}; expected one of {', '.join(sorted(FORMATS))} "
            f"(aliases cs8, cs16, cf32, cfile)"
        )
    return FORMATS[key]


def to_complex64(raw, fmt: SampleFormat | str) -> np.ndarray:
    """Convert interleaved I/Q components to complex64.

    Parameters
    ----------
    raw : bytes-like or numpy.ndarray
        Raw bytes (a whole number of samples) or an array of components of ``fmt.component_dtype``.
    fmt : SampleFormat or str
        The format (see `FORMATS`).

    Returns
    -------
    numpy.ndarray
        complex64, ``len(raw) / fmt.bytes_per_sample`` samples; a new array (the input is not modified).

    Notes
    -----
    cu8 maps b -> (b - 127.5) / 127.5, so 0 -> -1.0, 127 -> -0.00392, 128 -> +0.00392, 255 -> +1.0.

    Examples
    --------
    >>> to_complex64(bytes([0, 255, 127, 128]), "cu8")
    array([-1.        +1.j        , -0.00392157+0.00392157j], dtype=complex64)
    >>> to_complex64(bytes([0x80, 0x7f]), "ci8")
    array([-1.+0.9921875j], dtype=complex64)
    """
    if isinstance(fmt, str):
        fmt = sample_format(fmt)
    comps = raw if isinstance(raw, np.ndarray) else np.frombuffer(raw, dtype=fmt.component_dtype)
    if comps.dtype != fmt.component_dtype:
        comps = comps.view(fmt.component_dtype) if comps.dtype == np.uint8 else comps.astype(fmt.component_dtype)
    if comps.size % 2:
        raise FormatError(f"{fmt.name}: odd number of components ({comps.size}); I and Q come in pairs")
    if fmt.name == "cf32_le" and comps.dtype.isnative:
        return comps.view(np.complex64).copy()
    out = comps.astype(np.float32)
    if fmt.offset:
        out -= np.float32(fmt.offset)
    if fmt.scale != 1.0:
        out *= np.float32(1.0 / fmt.scale)
    return out.view(np.complex64)


def from_complex64(samples: np.ndarray, fmt: SampleFormat | str = "cu8") -> bytes:
    """Convert complex64 samples back to interleaved bytes of `fmt`, the inverse of `to_complex64`.

    Values outside full scale are clipped; integers are rounded to nearest. For data that came
    from `to_complex64` of the same integer format the round trip is exact.

    Examples
    --------
    >>> from_complex64(to_complex64(bytes(range(256)), "cu8"), "cu8") == bytes(range(256))
    True
    """
    if isinstance(fmt, str):
        fmt = sample_format(fmt)
    comps = np.ascontiguousarray(samples, dtype=np.complex64).view(np.float32)
    if fmt.is_float:
        return comps.astype(fmt.component_dtype).tobytes()
    info = np.iinfo(fmt.component_dtype)
    ints = np.rint(comps.astype(np.float64) * fmt.scale + fmt.offset)
    np.clip(ints, info.min, info.max, out=ints)
    return ints.astype(fmt.component_dtype).tobytes()
