"""Synthetic recordings with ground truth, for tests, demos and ``detector synth``.

Every generator takes a seeded `numpy.random.Generator` (or a seed) and states its units:
SNR in dB, frequencies in Hz, levels in dBFS. GSM and LTE generators join this package with
their receivers; for now it holds the building blocks (tones, AWGN, RTL-SDR 8-bit quantisation)
and the writer of multi-tuning sweep scenes.
"""

from ._scene import Tone, add_awgn, quantise_cu8, tone, write_tone_sweep

__all__ = ["Tone", "add_awgn", "quantise_cu8", "tone", "write_tone_sweep"]
