"""Cross-border policy: site profiles and the rules that turn detections into verdicts with reasons."""

from ._profile import Profile, builtin_profiles, load_profile
from ._rules import evaluate

__all__ = ["Profile", "builtin_profiles", "evaluate", "load_profile"]
