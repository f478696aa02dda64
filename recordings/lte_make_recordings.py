"""Regenerate the LTE sample recordings in this folder (deterministic: fixed seeds, byte-exact).

    python recordings/lte_make_recordings.py

``lte_tdd_1890M.sigmf-*``: 1.92 MS/s cu8 at 1890.0 MHz (band 39), 80 ms, a simulated RTL-SDR 60 ppm fast, two
synchronised co-channel TD-LTE cells (UL/DL configuration 2, special subframe 7): PCI 253 (2 ports, 100 RB,
PHICH Ng 1/2) at 6 dB and PCI 97 (1 port, Ng 1) at -4 dB SNR in the 1.92 MHz band, both N_ID2 = 1, SFN 603.

``lte_fdd_1860M_2.4M.sigmf-*``: 2.4 MS/s cu8 tuned 300 kHz above a band-3 carrier at 1860.0 MHz, 80 ms,
-25 ppm, two unsynchronised extended-CP FDD cells with EPA multipath: PCI 300 (4 ports, 50 RB, PHICH
extended / Ng 2) at 3 dB and PCI 86 (1 port) at -5 dB.

Ground truth (identities, MIB fields, SFN, timing, offsets) in the ``.truth.json`` files.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.synth._lte import write_reference_recordings  # noqa: E402

write_reference_recordings(os.path.dirname(os.path.abspath(__file__)))
