"""Border scenes that combine the generators: GSM and LTE base stations and handsets in one sweep recording.

* `write_border_sweep`: what a scan of the 900 MHz band near the Chinese border sees, as two tuning
  steps of one dongle (the `detector scan` end-to-end test serves it over rtl_tcp and compares with
  `detector replay`).
* `write_handset_scene`: the handset issue's scene: a GSM handset in China Mobile's 900 MHz uplink
  block, an LTE handset in the uplink subframes of China Mobile's TD-LTE band-39 cell, and downlink
  carriers that must not count as handsets.

Both are cu8 SigMF at 2.4 MS/s from a simulated RTL-SDR with a crystal `ppm` fast (every step the same
receiver), with ground truth in ``<name>.truth.json``. Units: Hz, seconds, dBFS.
"""

from __future__ import annotations

import datetime as _dt
import json

import numpy as np

from ..sources import IQBlock
from ..sources._sigmf_writer import SigMFWriter

__all__ = ["write_border_sweep", "write_handset_scene", "BORDER_SWEEP_STEPS", "HANDSET_SCENE_STEPS"]

FS = 2.4e6
T0 = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
#: (centre Hz, seconds) of each step of `write_border_sweep`.
BORDER_SWEEP_STEPS = ((948.0e6, 0.5), (955.0e6, 0.12))
#: (centre Hz, seconds) of each step of `write_handset_scene`.
HANDSET_SCENE_STEPS = ((889.0e6, 0.2), (1890.0e6, 0.12), (947.4e6, 0.1))


def _write(path: str, steps: list[tuple[float, np.ndarray]], truth: dict, description: str) -> dict:
    start = 0
    t = T0
    with SigMFWriter(path, FS, "cu8", overwrite=True, hw="detector.synth (simulated RTL-SDR)",
                     description=description) as w:
        for seg, (fc, x) in enumerate(steps):
            w.write(IQBlock(x, fc, FS, start, t, segment=seg))
            start += x.size
            t += _dt.timedelta(seconds=x.size / FS)
    base = w.meta_path[: -len(".sigmf-meta")]
    with open(base + ".truth.json", "w") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")
    return truth


def _sweep_gsm_cells(seed: int):
    """The three C0s of `border_scene_cells`, their frame numbers set so that the SI3 (TC 2) starts about
    0.2 s into the step (after a live scan's settling discard) and the SI4 (TC 3) follows 0.235 s later."""
    from dataclasses import replace

    from ..gsm._constants import FRAME_PERIOD_S
    from ._gsm import HYPERFRAME, border_scene_cells

    rng = np.random.default_rng(seed + 100)
    cells = []
    for c in border_scene_cells(seed):
        k = int(rng.integers(100, 5000))
        fn0 = (51 * (8 * k + 2) - int(round(0.2 / FRAME_PERIOD_S))) % HYPERFRAME
        cells.append(replace(c, fn_start=fn0))
    return cells


def write_border_sweep(path: str, seed: int = 11, ppm: float = 40.0) -> dict:
    """Two steps of a 900 MHz scan near the Chinese border (cu8, 2.4 MS/s, `ppm` receiver error):

    * 948.0 MHz, 0.5 s: the GSM900 C0s of `detector.synth._gsm.border_scene_cells` (China Mobile 460-00 on
      ARFCN 62, China Unicom 460-01 on ARFCN 66: foreign; Koryolink 467-192 on ARFCN 64: domestic), SI3 at
      about 0.2 s and SI4 at about 0.43 s;
    * 955.0 MHz, 0.12 s: a band-8 FDD LTE cell in China Unicom's 949-960 MHz block (EARFCN 3750, PCI 123,
      25 RB, 2 ports, 6 dB over the noise of the 2.4 MHz band): foreign by its allocation.
    """
    from ._gsm import gsm_scene
    from ._lte import LteCellSpec, lte_scene

    (f0, d0), (f1, d1) = BORDER_SWEEP_STEPS
    x0, t_gsm = gsm_scene(_sweep_gsm_cells(seed), f0, FS, d0, ppm, -30.0, seed)
    lte = LteCellSpec(pci=123, earfcn=3750, duplex="fdd", n_ports=2, n_rb_dl=25, snr_db=6.0, sfn0=412,
                      frame_start_s=0.0042, phich_resource="1")
    x1, t_lte = lte_scene([lte], f1, FS, d1, ppm, -30.0, seed + 1)
    for t in (t_gsm, t_lte):
        for c in t["cells"]:
            c.pop("si", None), c.pop("bcch_schedule", None)
    truth = {"generator": "detector.synth._border.write_border_sweep", "seed": seed, "ppm": ppm,
             "sample_rate_hz": FS,
             "steps": [{"center_freq_hz": f0, "duration_s": d0, "gsm": t_gsm},
                       {"center_freq_hz": f1, "duration_s": d1, "lte": t_lte}],
             "expected": [
                 {"tech": "gsm", "channel": 62, "mcc": "460", "mnc": "00", "verdict": "foreign"},
                 {"tech": "gsm", "channel": 64, "mcc": "467", "mnc": "192", "verdict": "domestic"},
                 {"tech": "gsm", "channel": 66, "mcc": "460", "mnc": "01", "verdict": "foreign"},
                 {"tech": "lte", "channel": 3750, "pci": 123, "verdict": "foreign"}]}
    return _write(path, [(f0, x0), (f1, x1)], truth,
                  "900 MHz border sweep: GSM900 C0s and a band-8 LTE cell; ground truth in the .truth.json file")


def write_handset_scene(path: str, seed: int = 21, ppm: float = 30.0) -> dict:
    """Handsets beside base stations, three steps (cu8, 2.4 MS/s, `ppm` receiver error):

    * 889.0 MHz (E-GSM900 / B8 uplink), 0.2 s: a GSM handset on uplink ARFCN 1015 (888.2 MHz, China Mobile's
      E-GSM900 uplink block), timeslot 5 of every TDMA frame, -38 dBFS while transmitting; noise -45 dBFS per
      200 kHz;
    * 1890.0 MHz (band 39, China Mobile's TD-LTE block), 0.12 s: a TD-LTE cell (PCI 301, 100 RB, 2 ports, UL/DL
      configuration 1, special subframe 7, 12 dB over the noise of the 2.4 MHz band) and an LTE handset of
      4 PRBs 300 kHz above the carrier in uplink subframes 2 and 7 of every frame, 3 dB over the noise in
      its 720 kHz while transmitting;
    * 947.4 MHz (GSM900 downlink), 0.1 s: a continuous GSM-shaped carrier, a base station's bursty carrier
      (timeslots 0, 2, 5) and an LTE-shaped 1.4 MHz downlink: none of them handsets.
    """
    from ._lte import LteCellSpec, lte_scene
    from ._scene import add_awgn, quantise_cu8
    from ._shapes import gmsk_like, ofdm_like, place
    from ._uplink import gsm_handset, lte_handset

    rng = np.random.default_rng(seed)
    (f0, d0), (f1, d1), (f2, d2) = HANDSET_SCENE_STEPS
    noise_200k = -45.0
    noise = noise_200k + 10 * np.log10(FS / 200e3)
    lo = 1 + ppm * 1e-6  # the receiver's LO runs fast: everything appears lower by ppm x f
    n0 = int(d0 * FS)
    gsm_f = 888.2e6
    x0 = add_awgn(gsm_handset(n0, FS, gsm_f - f0 * lo, -38.0, rng, timeslot=5, start_s=0.0013), noise, rng)

    cell = LteCellSpec(pci=301, earfcn=38350, duplex="tdd", n_ports=2, n_rb_dl=100, snr_db=12.0, sfn0=77,
                       frame_start_s=0.0027, tdd_config=1, special_config=7)
    x1, t_lte = lte_scene([cell], f1, FS, d1, ppm, noise, seed + 1, quantise=False)
    n1 = x1.size
    ue_f = 1890.3e6
    ue_p = noise + 10 * np.log10(4 * 180e3 / FS) + 3.0
    frames = int(d1 / 10e-3) + 2
    ue = lte_handset(n1, FS, ue_f - f1 * lo, ue_p, rng, n_prb=4, start_s=cell.frame_start_s - 10e-3,
                     subframes=[10 * k + s for k in range(frames) for s in (2, 7)])
    x1 = quantise_cu8(x1 + ue)

    n2 = int(d2 * FS)
    x2 = place(gmsk_like(n2, FS, rng), 0.0, FS, -30)
    for ts in (0, 2, 5):
        x2 += gsm_handset(n2, FS, 600e3, -32, rng, timeslot=ts)
    x2 = add_awgn(x2 + place(ofdm_like(n2, FS, 6, rng), -1.1e6 + 1e3, FS, -35), noise, rng)
    t_lte["cells"][0].pop("sfn_first_frame", None)
    truth = {"generator": "detector.synth._border.write_handset_scene", "seed": seed, "ppm": ppm,
             "sample_rate_hz": FS, "noise_dbfs_per_200k": noise_200k,
             "handsets": [
                 {"tech": "gsm", "freq_hz": gsm_f, "arfcn": 1015, "band": "GSM900", "timeslot": 5,
                  "burst_power_dbfs": -38.0, "operator": "China Mobile", "operator_block": "E-GSM900 uplink",
                  "verdict": "foreign"},
                 {"tech": "lte", "duplex": "tdd", "freq_hz": ue_f, "n_prb": 4, "band": "B39", "subframes": [2, 7],
                  "snr_db": 3.0, "cell_pci": 301, "operator": "China Mobile", "verdict": "foreign"}],
             "steps": [{"center_freq_hz": f0, "duration_s": d0},
                       {"center_freq_hz": f1, "duration_s": d1, "lte": t_lte},
                       {"center_freq_hz": f2, "duration_s": d2,
                        "not_handsets": ["GSM-shaped carrier at 947.4 MHz", "bursty BTS carrier at 948.0 MHz",
                                         "LTE-shaped 1.4 MHz downlink at 946.3 MHz"]}]}
    return _write(path, [(f0, quantise_cu8(x0)), (f1, x1), (f2, quantise_cu8(x2))], truth,
                  "handsets beside base stations (GSM900 uplink, TD-LTE band 39, GSM900 downlink); ground truth in "
                  "the .truth.json file")
