"""``detector replay`` runs the gsm analyzer (registered on import of detector.gsm by the pipeline's loader)."""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_replay_lists_every_gsm_carrier_with_its_identity(cli):
    code, out, err = cli("replay", "--json", os.path.join(ROOT, "recordings", "gsm_border_948M.sigmf-meta"))
    assert code == 0, err
    cells = [json.loads(line) for line in out.splitlines() if json.loads(line).get("tech") == "gsm"]
    got = {(c["channel"], c["identity"]["mcc"], c["identity"]["mnc"], c["identity"]["cell_id"]) for c in cells}
    assert got == {(62, "460", "00", 4321), (66, "460", "01", 27013), (64, "467", "192", 7)}
    assert all(c["kind"] == "cell" and c["band"] == "GSM900" and abs(c["gsm"]["ppm"] - 40) < 0.1 for c in cells)
