"""Benchmarks: ``python -m benchmarks.run`` prints the figures table (later issues add rows)."""
