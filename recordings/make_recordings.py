"""Regenerate the synthetic recordings in this folder (deterministic: fixed seeds).

    python recordings/make_recordings.py

Each recording has its ground truth beside it (``<name>.truth.json``).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from detector.synth import Tone, write_tone_sweep  # noqa: E402
from detector.synth._shapes import SURVEY_EGSM_EMITTERS, write_emission_sweep  # noqa: E402
from detector.synth._uplink import write_uplink_scene  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Two GSM900 downlink tunings (2.4 MS/s, 0.1 s each), CW tones at -20/-35 dBFS over noise at -30 dBFS
# in the full 2.4 MHz band (about -40.8 dBFS in a 200 kHz channel), seed 1.
write_tone_sweep(os.path.join(HERE, "tones_gsm900_sweep"), [936.0e6, 938.4e6],
                 [Tone(935.4e6, -20.0), Tone(936.6e6, -35.0), Tone(938.0e6, -25.0), Tone(939.2e6, -30.0)],
                 sample_rate_hz=2.4e6, duration_s=0.1, noise_dbfs=-30.0, seed=1)

# A 35 MHz E-GSM downlink sweep (925-960 MHz, 19 steps of 25 ms at 2.4 MS/s, crop 0.2) with
# emission-shaped signals: GSM carriers (GMSK), an LTE 5 MHz block (25 RB), a UMTS carrier and a CW
# spur, noise at -55 dBFS per 200 kHz, seed 2. Used by the survey tests and the survey demo.
write_emission_sweep(
    os.path.join(HERE, "survey_egsm_sweep"), 925e6, 960e6, SURVEY_EGSM_EMITTERS,
    sample_rate_hz=2.4e6, dwell_s=0.025, crop=0.2, noise_dbfs_per_200k=-55.0, seed=2)

# Handsets: a GSM handset (E-GSM ARFCN 1015 uplink, China Mobile block) and an LTE FDD handset in a GSM900/B8
# uplink step, impulses, and a downlink step with base-station carriers (see write_uplink_scene).
write_uplink_scene(os.path.join(HERE, "uplink_handsets"), seed=3)
