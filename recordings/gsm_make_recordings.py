"""Regenerate the GSM sample recording in this folder (deterministic: fixed seed).

    python recordings/gsm_make_recordings.py

``gsm_border_948M.sigmf-*``: 2.048 MS/s cu8 around 948.0 MHz, 1.22 s, a simulated RTL-SDR 40 ppm fast, three
GSM900 C0 carriers (China Mobile 460-00 on ARFCN 62, China Unicom 460-01 on ARFCN 66, Koryolink 467-192 on
ARFCN 64) at 18/12/9 dB in-channel SNR, each with its full System Information (neighbour lists in bit map 0,
range 128 and range 1024 formats, SI2bis, SI2ter, and an SI2quater with LTE and UMTS neighbours); ground truth
(identities, schedules, SI octets, frequencies and offsets) in ``gsm_border_948M.truth.json``.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.synth._gsm import write_border_scene  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

write_border_scene(os.path.join(HERE, "gsm_border_948M"), seed=4, ppm=40.0, duration_s=1.22)
