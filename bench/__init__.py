"""Benchmarks: `make bench` (or `python -m bench`). They print figures and ratios to targets."""
