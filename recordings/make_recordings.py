"""Regenerate the synthetic recordings in this folder (deterministic: fixed seeds).

    python recordings/make_recordings.py

Each recording has its ground truth beside it (``<name>.truth.json``).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.synth import Tone, write_tone_sweep  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Two GSM900 downlink tunings (2.4 MS/s, 0.1 s each), CW tones at -20/-35 dBFS over noise at -30 dBFS
# in the full 2.4 MHz band (about -40.8 dBFS in a 200 kHz channel), seed 1.
write_tone_sweep(os.path.join(HERE, "tones_gsm900_sweep"), [936.0e6, 938.4e6],
                 [Tone(935.4e6, -20.0), Tone(936.6e6, -35.0), Tone(938.0e6, -25.0), Tone(939.2e6, -30.0)],
                 sample_rate_hz=2.4e6, duration_s=0.1, noise_dbfs=-30.0, seed=1)
