"""Terminal tables in the formats people already read: grgsm_scanner lines for GSM cells, LTE-Cell-Scanner's
summary table for LTE cells, and a plain line for anything else; plus CSV and JSON-lines exports."""

from __future__ import annotations

import csv
import json

__all__ = ["grgsm_line", "lte_table", "text_report", "write_csv", "write_jsonl", "CSV_FIELDS"]


def grgsm_line(rec: dict) -> str:
    """``ARFCN: %4u, Freq: %6.1fM, CID: %5u, LAC: %5u, MCC: %3u, MNC: %3u, Pwr: %3i`` (grgsm_scanner's format;
    unknown fields print as 0, as grgsm_scanner does, so read them with care).

    Examples
    --------
    >>> grgsm_line({"channel": 62, "freq_hz": 947.4e6, "power_dbfs": -31.2,
    ...             "identity": {"cell_id": 4321, "lac": 12345, "mcc": "460", "mnc": "00"}})
    'ARFCN:   62, Freq:  947.4M, CID:  4321, LAC: 12345, MCC: 460, MNC:   0, Pwr: -31'
    """
    ident = rec.get("identity") or {}
    return (f"ARFCN: {int(rec.get('channel') or 0):4d}, Freq: {rec.get('freq_hz', 0) / 1e6:6.1f}M, "
            f"CID: {int(ident.get('cell_id') or 0):5d}, LAC: {int(ident.get('lac') or 0):5d}, "
            f"MCC: {int(ident.get('mcc') or 0):3d}, MNC: {int(ident.get('mnc') or 0):3d}, "
            f"Pwr: {round(rec.get('power_dbfs') or 0):3d}")


def lte_table(records: list[dict]) -> str:
    """LTE-Cell-Scanner's summary columns: ``CID A fc foff RXPWR C nRB P PR``.

    Examples
    --------
    >>> print(lte_table([{"freq_hz": 1860e6, "freq_offset_hz": -44e3, "power_dbfs": -40.0,
    ...                   "identity": {"pci": 86, "cp": "normal", "n_rb_dl": 100, "n_ports": 2, "phich": "normal"}}]))
    CID A      fc   foff RXPWR C nRB P  PR
     86 2 1860.0M -44.0k  -40.0 N 100 N one
    """
    lines = ["CID A      fc   foff RXPWR C nRB P  PR"]
    for r in records:
        i = r.get("identity") or {}
        phich = i.get("phich")
        dur = (phich.get("duration") if isinstance(phich, dict) else phich) or "?"
        res = phich.get("resource") if isinstance(phich, dict) else None
        lines.append(f"{i.get('pci', '?'):>3} {i.get('n_ports', '?')} {r.get('freq_hz', 0) / 1e6:6.1f}M "
                     f"{r.get('freq_offset_hz', 0) / 1e3:5.1f}k {r.get('power_dbfs', 0):6.1f} "
                     f"{(i.get('cp') or '?')[0].upper()} {i.get('n_rb_dl', '?'):>3} {str(dur)[0].upper()} "
                     f"{res or 'one'}")
    return "\n".join(lines)


def text_report(records: list[dict]) -> str:
    """All records as terminal text: GSM cells as grgsm_scanner, LTE cells as LTE-Cell-Scanner, the rest one line
    each."""
    gsm = [r for r in records if r.get("kind") == "cell" and r.get("tech") == "gsm"]
    lte = [r for r in records if r.get("kind") == "cell" and r.get("tech") == "lte"]
    rest = [r for r in records if r not in gsm and r not in lte]
    out = [grgsm_line(r) + f"  [{r.get('verdict', 'unknown')}]" for r in gsm]
    if lte:
        out.append(lte_table(lte))
    for r in rest:
        what = r.get("tech") or r.get("shape", "")
        out.append(f"{r.get('kind', ''):<8} {what:<10} {r.get('freq_hz', 0) / 1e6:10.3f} MHz "
                   f"{r.get('power_dbfs', 0):6.1f} dBFS  {r.get('verdict', 'unknown')}")
    return "\n".join(out)


#: Fixed column order of the CSV export (one row per detection).
CSV_FIELDS = ["kind", "tech", "shape", "band", "channel", "freq_hz", "power_dbfs", "snr_db", "mcc", "mnc", "lac",
              "cell_id", "bsic", "pci", "operator", "verdict", "confidence", "rules", "first_seen", "last_seen",
              "count"]


def write_csv(records: list[dict], path: str) -> None:
    """The detections as CSV with `CSV_FIELDS` columns."""
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in records:
            i = r.get("identity") or {}
            w.writerow({**{k: r.get(k) for k in CSV_FIELDS if k in r},
                        **{k: i.get(k) for k in ("mcc", "mnc", "lac", "cell_id", "bsic", "pci")},
                        "operator": (r.get("operator") or {}).get("name"),
                        "rules": " ".join(x["rule"] for x in r.get("reasons", []))})


def write_jsonl(records: list[dict], path: str) -> None:
    """The detections as JSON lines (the `--json` format)."""
    with open(path, "w") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
