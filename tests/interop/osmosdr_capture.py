"""Capture N samples from an rtl_tcp server with GNU Radio's gr-osmosdr ``rtl_tcp=`` source.

Run with Debian's /usr/bin/python3 (GNU Radio is not importable from a venv):

    /usr/bin/python3 tests/interop/osmosdr_capture.py HOST PORT FREQ_HZ RATE_SPS NSAMPLES OUT.cfile [RETUNE_HZ]

Writes gr_complex (cf32) samples; with RETUNE_HZ, retunes half-way through (from another thread).
"""

import sys
import threading
import time

import osmosdr
from gnuradio import blocks, gr


def main():
    host, port, freq, rate, n, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), \
        int(sys.argv[5]), sys.argv[6]
    retune = float(sys.argv[7]) if len(sys.argv) > 7 else None
    tb = gr.top_block()
    src = osmosdr.source(args=f"numchan=1 rtl_tcp={host}:{port}")
    src.set_sample_rate(rate)
    src.set_center_freq(freq, 0)
    src.set_gain_mode(False, 0)
    src.set_gain(20, 0)
    head = blocks.head(gr.sizeof_gr_complex, n)
    sink = blocks.file_sink(gr.sizeof_gr_complex, out)
    tb.connect(src, head, sink)
    if retune is not None:
        def later():
            time.sleep(1.0)
            src.set_center_freq(retune, 0)
        threading.Thread(target=later, daemon=True).start()
    tb.run()


if __name__ == "__main__":
    main()
