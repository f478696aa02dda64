"""Child process of the replay benchmark: replays one file and prints JSON with time and peak RSS.

Run in a fresh interpreter so its peak RSS (``ru_maxrss``) belongs to this replay alone.
"""

import json
import resource
import sys
import time


def _vm_hwm_mib() -> float:
    """Peak resident memory of this process image in MiB (VmHWM; unlike ru_maxrss it does not carry
    the parent's footprint over fork+exec)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path: str, mode: str) -> None:
    from detector import pipeline
    from detector.sources import open_recording

    t0 = time.perf_counter()
    with open_recording(path) as src:
        if mode == "source":
            n = sum(len(b) for b in src.blocks())
        else:
            n = pipeline.run(src, src.blocks(), [cls() for cls in pipeline.load_analyzers().values()]).samples
        rate = src.sample_rate_hz
    wall = time.perf_counter() - t0
    rss_mib = _vm_hwm_mib()
    print(json.dumps({"samples": n, "wall_s": wall, "sample_rate_hz": rate, "peak_rss_mib": rss_mib}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
