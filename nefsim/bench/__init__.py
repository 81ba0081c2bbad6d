"""Benchmarks against Nengo's reference simulator (``python -m nefsim.bench``).

Each configuration runs in a fresh subprocess (so peak memory is that run's own), first
with nefsim and then with Nengo on the same model, and the table prints the ratios.
Decoder caches are off on both sides, so build times are cold builds.
"""
