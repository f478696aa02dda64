"""SigMF recordings: reading (``.sigmf-meta``/``.sigmf-data`` pairs and ``.sigmf`` archives).

Metadata is parsed and schema-validated by the `sigmf` library; the samples are then read by the
shared bounded `RecordingSource` reader at the byte offset sigmf resolved (the data file of a pair,
or the data member inside the archive's tar), so every format converts through one function.
Each ``captures`` segment is one tuning; several segments replay as a sweep.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import warnings

from ..errors import FormatError, MetadataError
from ._base import RecordingSource, Segment
from ._convert import FORMATS, sample_format

__all__ = ["open_sigmf", "is_sigmf_path", "sigmf_base"]

_SIGMF_EXTS = (".sigmf-meta", ".sigmf-data", ".sigmf")


def is_sigmf_path(path: str) -> bool:
    """True for a path that names a SigMF pair member or archive."""
    return str(path).lower().endswith(_SIGMF_EXTS)


def sigmf_base(path: str) -> str:
    """The recording's path without its SigMF extension."""
    p = str(path)
    for ext in _SIGMF_EXTS:
        if p.lower().endswith(ext):
            return p[: -len(ext)]
    return p


def _parse_datetime(value) -> _dt.datetime | None:
    if not value:
        return None
    try:
        t = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)


def _load(path: str):
    """sigmf.fromfile with its many exception types turned into one-line MetadataErrors naming the file."""
    import jsonschema
    import sigmf
    from sigmf.error import SigMFError

    base = sigmf_base(path)
    meta_path = base + ".sigmf-meta"
    archive = path.lower().endswith(".sigmf")
    shown = path if archive else meta_path
    if not archive and not os.path.exists(meta_path):
        raise MetadataError(f"{meta_path}: SigMF metadata file not found (needed beside {os.path.basename(path)})")
    if archive and not os.path.exists(path):
        raise FormatError(f"{path}: SigMF archive not found")
    if not archive:
        if not os.path.exists(base + ".sigmf-data"):
            raise FormatError(f"{base}.sigmf-data: SigMF data file not found (named by {os.path.basename(meta_path)})")
        try:
            with open(meta_path, "rb") as fh:
                raw = json.load(fh)
        except (OSError, ValueError) as e:
            raise MetadataError(f"{meta_path}: not valid JSON: {e}") from e
        _check_core_fields(meta_path, raw)
        if os.path.getsize(base + ".sigmf-data") == 0:
            raise FormatError(f"{base}.sigmf-data: SigMF dataset is empty (0 bytes); expected "
                              f"{raw['global']['core:datatype']} samples")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            rec = sigmf.sigmffile.fromfile(path if archive else meta_path, skip_checksum=True, autoscale=False)
        except jsonschema.exceptions.ValidationError as e:
            where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
            raise MetadataError(f"{shown}: SigMF field {where}: {e.message}") from e
        except (SigMFError, ValueError, KeyError, OSError) as e:
            raise MetadataError(f"{shown}: cannot read as SigMF: {e}") from e
        except Exception as e:  # tarfile and json errors from inside sigmf
            raise MetadataError(f"{shown}: cannot read as SigMF: {type(e).__name__}: {e}") from e
    return rec, shown


def _check_core_fields(where: str, meta: dict) -> None:
    """Check the fields we need before sigmf sees them, with messages that say what was expected."""
    if not isinstance(meta, dict) or not isinstance(meta.get("global"), dict):
        raise MetadataError(f"{where}: SigMF field 'global' missing; expected an object")
    g = meta["global"]
    dt = g.get("core:datatype")
    if dt is None:
        raise MetadataError(f"{where}: SigMF field global/core:datatype missing; expected one of {', '.join(FORMATS)}")
    if not (isinstance(dt, str) and dt.startswith("c")):
        raise FormatError(f"{where}: SigMF field global/core:datatype is {dt!r}; expected a complex type "
                          f"({', '.join(FORMATS)})")
    try:
        sample_format(dt)
    except FormatError:
        raise FormatError(f"{where}: SigMF field global/core:datatype is {dt!r}; expected one of "
                          f"{', '.join(FORMATS)}") from None
    rate = g.get("core:sample_rate")
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not rate > 0:
        raise MetadataError(f"{where}: SigMF field global/core:sample_rate is {rate!r}; "
                            f"expected a positive number (S/s)")
    if int(g.get("core:num_channels", 1)) != 1:
        raise MetadataError(f"{where}: SigMF field global/core:num_channels is {g['core:num_channels']}; "
                            f"expected 1 (multi-channel recordings are not supported)")
    caps = meta.get("captures")
    if not isinstance(caps, list) or not caps:
        raise MetadataError(f"{where}: SigMF field 'captures' is {caps!r}; expected a non-empty list of segments")
    for i, c in enumerate(caps):
        f = c.get("core:frequency") if isinstance(c, dict) else None
        if f is not None and (not isinstance(f, (int, float)) or isinstance(f, bool) or f <= 0):
            raise MetadataError(f"{where}: SigMF field captures/{i}/core:frequency is {f!r}; expected Hz > 0")


def open_sigmf(path: str, sample_rate_hz: float | None = None, center_freq_hz: float | None = None
               ) -> RecordingSource:
    """Open a SigMF recording (pair member or ``.sigmf`` archive) as a `RecordingSource`.

    Parameters
    ----------
    path : str
        ``x.sigmf-meta``, ``x.sigmf-data`` or ``x.sigmf``.
    sample_rate_hz, center_freq_hz : float, optional
        Overrides of ``core:sample_rate`` and (for every segment) ``core:frequency``.

    Raises
    ------
    MetadataError
        Missing/invalid metadata (names the field).
    FormatError
        Unknown datatype, missing or empty data.
    """
    rec, shown = _load(str(path))
    g = rec.get_global_info()
    meta_for_check = {"global": g, "captures": rec.get_captures()}
    _check_core_fields(shown, meta_for_check)
    fmt = sample_format(g["core:datatype"])
    rate = float(sample_rate_hz if sample_rate_hz is not None else g["core:sample_rate"])
    data_path = str(rec.data_file) if rec.data_file is not None else None
    if data_path is None:
        raise FormatError(f"{shown}: SigMF recording has no dataset (metadata-only)")
    offset = int(getattr(rec, "data_offset", 0) or 0)
    size = getattr(rec, "data_size_bytes", None)
    if size is None:
        size = os.stat(data_path).st_size - offset - int(g.get("core:trailing_bytes", 0))
    bps = fmt.bytes_per_sample
    total, partial = divmod(int(size), bps)
    if total == 0:
        raise FormatError(f"{data_path}: SigMF dataset is empty ({size} bytes); expected {fmt.name} samples")
    caps = rec.get_captures()
    segments = []
    for i, c in enumerate(caps):
        start = int(c.get("core:sample_start", 0))
        end = int(caps[i + 1].get("core:sample_start", 0)) if i + 1 < len(caps) else total
        if start >= total:
            raise FormatError(
                f"{data_path}: SigMF captures/{i}/core:sample_start is {start} but the dataset holds only {total} "
                f"{fmt.name} samples; the data file is truncated"
            )
        extra = {k.split(":", 1)[1]: v for k, v in c.items()
                 if k not in ("core:sample_start", "core:frequency", "core:datetime")}
        segments.append(Segment(
            index=i,
            center_freq_hz=float(center_freq_hz if center_freq_hz is not None else c["core:frequency"])
            if (center_freq_hz is not None or "core:frequency" in c) else None,
            sample_rate_hz=rate,
            first_sample=start,
            num_samples=max(0, min(end, total) - start),
            byte_offset=offset + start * bps,
            datetime=_parse_datetime(c.get("core:datetime")),
            meta=extra,
        ))
    end_error = None
    if partial:
        end_error = (f"{data_path}: ends with {partial} byte(s) that do not make a whole {fmt.name} sample "
                     f"({bps} bytes); the file looks truncated (its {total} whole samples were read)")
    info = {
        "container": "sigmf-archive" if str(path).lower().endswith(".sigmf") else "sigmf",
        "data_file": data_path,
        **{k: v for k, v in g.items() if k not in ("core:sha512",)},
    }
    annotations = rec.get_annotations()
    if annotations:
        info["annotations"] = len(annotations)
    return RecordingSource(data_path, fmt, segments, info, end_error=end_error, name=f"file:{shown}")
