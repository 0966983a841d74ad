"""Samverkan benchmarks: `make bench` (python -m bench). Figures, never failures.

Every figure is paired with a baseline measured in the same run (a hello-world route, raw
reportlab, hashlib, raw AES-GCM), because absolute times on shared machines drift.
"""
