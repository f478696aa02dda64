"""Cross-border policy: site profiles and the rules that turn detections into verdicts with reasons."""

from ._baseline import build_baseline, diff_baseline, load_baseline, load_records
from ._profile import Profile, builtin_profiles, load_profile
from ._rules import evaluate

__all__ = ["Profile", "build_baseline", "builtin_profiles", "diff_baseline", "evaluate", "load_baseline",
           "load_profile", "load_records"]
