"""Lint as part of the suite (ruff, the sigmf project's choice), so style drift fails CI."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_ruff_clean():
    ruff = shutil.which("ruff") or os.path.join(os.path.dirname(sys.executable), "ruff")
    if not os.path.exists(ruff):
        pytest.skip("ruff not installed (pip install -e '.[test]')")
    r = subprocess.run([ruff, "check", "detector", "tests", "benchmarks", "recordings"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_dsp_and_sources_do_not_import_hardware_or_plotting():
    """Replay and analysis must work without pyrtlsdr or matplotlib loaded (lazy imports)."""
    code = ("import sys, detector.sources, detector.pipeline, detector.cli; "
            "bad = [m for m in ('rtlsdr', 'matplotlib') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0, r.stdout + r.stderr
