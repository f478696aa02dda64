"""Shared fixtures: paths to bundled and real recordings, and a CLI runner."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORDINGS = os.path.join(ROOT, "recordings")
REAL = os.environ.get("DETECTOR_REAL_CAPTURES") or next(
    (p for p in (os.path.join(ROOT, "..", "shared", "real-captures"), "/work/shared/real-captures")
     if os.path.isdir(p)),
    os.path.join(ROOT, "..", "shared", "real-captures"))


#: Helper scripts run by other interpreters (Debian's GNU Radio python): never imported by pytest.
collect_ignore_glob = ["interop/*"]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DETECTOR_HARDWARE") == "1":
        return
    skip = pytest.mark.skip(reason="needs a real RTL-SDR (set DETECTOR_HARDWARE=1)")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subprocess_env() -> dict:
    """The environment for running ``python -m detector.cli`` from this checkout in a subprocess."""
    return dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture
def real_captures():
    """The folder of over-the-air captures by others; tests using it skip when it is absent."""
    if not os.path.isdir(REAL):
        pytest.skip(f"real captures not found at {REAL}")
    return REAL


@pytest.fixture
def cli(capsys):
    """Run ``detector`` in-process: returns (exit code, stdout, stderr)."""
    from detector.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_subprocess():
    """Run ``python -m detector.cli`` in a subprocess (for signal and exit-code tests)."""
    import subprocess

    def run(*argv, timeout=60, **kw):
        env = subprocess_env()
        return subprocess.run([sys.executable, "-m", "detector.cli", *map(str, argv)], capture_output=True,
                              text=True, timeout=timeout, env=env, **kw)

    return run
