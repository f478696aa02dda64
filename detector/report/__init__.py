"""Outputs: rtl_power CSV, spectrum and waterfall plots (matplotlib, Agg), JSON records.

matplotlib is imported inside the plotting functions only, so detection never loads it.
"""

from ._csv import RtlPowerRow, read_rtl_power_csv, write_rtl_power_csv
from ._plots import plot_spectrum, plot_waterfall

__all__ = ["RtlPowerRow", "plot_spectrum", "plot_waterfall", "read_rtl_power_csv", "write_rtl_power_csv"]
