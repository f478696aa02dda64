"""A directory of captures from a sweep (one file per tuning) replayed as one sweep."""

from __future__ import annotations

import dataclasses
import os
import re

from ..errors import FormatError
from ._base import Source
from ._block import DEFAULT_BLOCK_SAMPLES
from ._names import EXTENSION_FORMATS

__all__ = ["DirectorySource", "sweep_files"]


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def sweep_files(path: str) -> list[str]:
    """The recordings in a directory: SigMF metadata/archives and raw files with a known extension
    (``.sigmf-data`` and ground-truth ``.json`` beside them are not recordings of their own), name order."""
    names = sorted(os.listdir(path), key=_natural)
    out = []
    for n in names:
        low = n.lower()
        full = os.path.join(path, n)
        if not os.path.isfile(full):
            continue
        if low.endswith((".sigmf-meta", ".sigmf")) or os.path.splitext(low)[1] in EXTENSION_FORMATS:
            out.append(full)
    return out


class DirectorySource(Source):
    """Every recording in a directory, in time order (name order when times are unknown), as one sweep.

    Segments are numbered across the files, so analyzers see one tuning per file (or per captures
    segment inside a file), exactly as from a live sweep or a multi-capture SigMF recording.
    """

    def __init__(self, path: str, open_one):
        super().__init__()
        self.path = str(path)
        self.name = f"dir:{self.path}"
        files = sweep_files(self.path)
        if not files:
            raise FormatError(f"{self.path}: directory holds no recording (expected .sigmf-meta, .sigmf or raw IQ "
                              f"files such as name_947.4M_2.4M.cu8)")
        self.members = []
        try:
            for f in files:
                self.members.append(open_one(f))
        except BaseException:
            self.close()
            raise
        if all(m.segments[0].datetime for m in self.members):  # else keep the (natural) name order
            self.members.sort(key=lambda m: (m.segments[0].datetime, m.path))
        self.segments = []
        for m in self.members:
            for s in m.segments:
                self.segments.append(dataclasses.replace(s, index=len(self.segments)))

    @property
    def sample_rate_hz(self) -> float:
        """Rate of the first file, S/s."""
        return self.members[0].sample_rate_hz

    @property
    def center_freq_hz(self):
        """Centre of the first file, Hz."""
        return self.members[0].center_freq_hz

    @property
    def num_samples(self) -> int:
        """Samples in all files."""
        return sum(m.num_samples for m in self.members)

    def describe(self) -> dict:
        """Like `RecordingSource.describe`, over all files."""
        parts = [m.describe() for m in self.members]
        segs = []
        for p in parts:
            for s in p["segments"]:
                segs.append({**s, "index": len(segs), "file": p["path"]})
        return {"path": self.path, "format": "directory", "datatype": ",".join(sorted({p["datatype"] for p in parts})),
                "sample_rate_hz": parts[0]["sample_rate_hz"], "num_samples": sum(p["num_samples"] for p in parts),
                "duration_s": round(sum(p["duration_s"] for p in parts), 6), "segments": segs,
                "metadata": {"files": len(parts)}}

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES):
        """Each file's blocks in turn, renumbered into one stream of segments and samples."""
        seg_base = 0
        sample_base = 0
        for m in self.members:
            for b in m.blocks(block_samples):
                self.stats.samples += len(b)
                self.stats.blocks += 1
                yield dataclasses.replace(b, segment=seg_base + b.segment, start_sample=sample_base + b.start_sample)
            seg_base += len(m.segments)
            sample_base += m.num_samples
            self.stats.clipped += m.stats.clipped
            self.stats.retunes += 1

    def _close(self) -> None:
        for m in self.members:
            m.close()
