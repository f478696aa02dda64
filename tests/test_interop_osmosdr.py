"""Interop: an ordinary rtl_tcp client, GNU Radio's gr-osmosdr ``rtl_tcp=`` source, reads `detector serve`.

Skips unless Debian's GNU Radio and gr-osmosdr are installed (``apt-get install gnuradio gr-osmosdr``;
they import only from /usr/bin/python3). The samples osmosdr delivers must be an exact affine image
of a contiguous run of the served segment's bytes (osmosdr converts cu8 with its own scaling).
"""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import RECORDINGS, ROOT, free_port

from detector.sources import open_recording

SYS_PY = "/usr/bin/python3"
SWEEP = os.path.join(RECORDINGS, "survey_egsm_sweep.sigmf-meta")
CAPTURE = os.path.join(ROOT, "tests", "interop", "osmosdr_capture.py")


def _have_osmosdr() -> bool:
    if not os.path.exists(SYS_PY):
        return False
    r = subprocess.run([SYS_PY, "-c", "import osmosdr, gnuradio"], capture_output=True, timeout=60)
    return r.returncode == 0


pytestmark = pytest.mark.skipif(not _have_osmosdr(), reason="GNU Radio + gr-osmosdr not installed "
                                                            "(apt-get install gnuradio gr-osmosdr)")



def _segment_bytes(k):
    with open_recording(SWEEP) as src:
        seg = src.segments[k]
        with open(src.path, "rb") as fh:
            fh.seek(seg.byte_offset)
            return seg.center_freq_hz, np.frombuffer(fh.read(2 * seg.num_samples), np.uint8)


def _match(samples: np.ndarray, served: np.ndarray):
    """Offset of `samples` in the looped `served` bytes and the affine map (offset, scale) osmosdr used."""
    comps = samples.view(np.float32).astype(np.float64)
    looped = np.tile(served, 4).astype(np.float64)
    probe = comps[:64]
    for at in range(0, served.size, 2):
        b = looped[at: at + 64]
        if np.ptp(b) == 0:
            continue
        scale, offset = np.polyfit(b, probe, 1)
        if np.max(np.abs(scale * b + offset - probe)) < 1e-4:
            n = min(comps.size, looped.size - at)
            resid = np.max(np.abs(scale * looped[at: at + n] + offset - comps[:n]))
            return at, scale, offset, resid, n
    return None


@pytest.mark.parametrize("realtime", [True, False])
def test_gr_osmosdr_reads_detector_serve_byte_exactly(tmp_path, realtime):
    freq, served = _segment_bytes(5)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=ROOT)
    cmd = [sys.executable, "-m", "detector.cli", "serve", SWEEP, "-P", str(port), "--loop"]
    srv = subprocess.Popen(cmd + ([] if realtime else ["--fast"]), stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(1.5)
        out = tmp_path / "osmo.cfile"
        r = subprocess.run([SYS_PY, CAPTURE, "127.0.0.1", str(port), repr(freq), "2400000", "300000", str(out)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
    finally:
        srv.send_signal(signal.SIGINT)
        log = srv.communicate(timeout=10)[1]
    x = np.fromfile(out, np.complex64)
    assert x.size == 300000
    # osmosdr's first samples may predate its set_center_freq; match from the middle of the capture
    found = _match(x[150000:], served)
    assert found is not None, "osmosdr's samples are not the served segment's bytes"
    at, scale, offset, resid, n = found
    assert n > 100000 and resid < 1e-5  # every sample is the exact image of the byte the server sent
    assert abs(scale - 1 / 128) < 1e-3 or abs(scale - 1 / 127.5) < 1e-3
    assert "client tuned to" in log
