"""Outputs: rtl_power CSV, spectrum and waterfall plots (matplotlib, Agg), JSON records.

matplotlib is imported inside the plotting functions only, so detection never loads it.
"""

from ._csv import RtlPowerRow, read_rtl_power_csv, write_rtl_power_csv
from ._html import write_report
from ._plots import plot_spectrum, plot_waterfall
from ._text import grgsm_line, lte_table, text_report, write_csv, write_jsonl

__all__ = ["RtlPowerRow", "grgsm_line", "lte_table", "plot_spectrum", "plot_waterfall", "read_rtl_power_csv",
           "text_report", "write_csv", "write_jsonl", "write_report", "write_rtl_power_csv"]
