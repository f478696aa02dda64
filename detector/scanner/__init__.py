"""`detector scan`: live band sweeps with a live table, alerts and clean handling of drops and Ctrl-C."""

from ._plan import DEFAULT_DWELL_S, Step, Target, check_reachable, plan_sweep, targets_from
from ._runner import ScanRunner, ScanStats, record_key
from ._table import LiveTable

__all__ = ["DEFAULT_DWELL_S", "LiveTable", "ScanRunner", "ScanStats", "Step", "Target", "check_reachable",
           "plan_sweep", "record_key", "targets_from"]
