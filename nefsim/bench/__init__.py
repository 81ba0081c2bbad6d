"""Benchmarks against Nengo's reference simulator (``python -m nefsim.bench``).

Each configuration runs in fresh worker processes (so peak memory is that run's own),
Nengo's reference first, then nefsim's backends on the same model, and the table prints
the ratios to Nengo and to the physical floor of a step (:mod:`nefsim.bench.floor`).
Decoder caches are off on both sides, so build times are cold builds.
"""
