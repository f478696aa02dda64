"""Regenerate the border scenes in this folder (deterministic: fixed seeds, byte-exact).

    python recordings/border_make_recordings.py

``border_sweep_900M.sigmf-*``: two steps of a 900 MHz scan (cu8, 2.4 MS/s, receiver +40 ppm): 948.0 MHz with
three GSM900 C0s (460-00 and 460-01 foreign, 467-192 domestic) and 955.0 MHz with a band-8 LTE cell (PCI 123)
in China Unicom's block. ``detector scan`` over rtl_tcp must report what ``detector replay`` reports.

``handsets_border.sigmf-*``: a GSM handset on uplink ARFCN 1015 (China Mobile), a TD-LTE band-39 cell
(PCI 301, configuration 1) with a handset in its uplink subframes 2 and 7, and a downlink step whose
carriers are not handsets (cu8, 2.4 MS/s, receiver +30 ppm).

Ground truth in the ``.truth.json`` files; see `detector.synth._border`.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.synth._border import write_border_sweep, write_handset_scene  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

write_border_sweep(os.path.join(HERE, "border_sweep_900M"))
write_handset_scene(os.path.join(HERE, "handsets_border"))
