"""Shared test setup.

Nengo (the test oracle, when installed) gets its on-disk decoder cache switched off: the
comparisons must not depend on, or write to, ~/.cache/nengo, and concurrent test runs
otherwise contend for its lock.
"""

try:
    import nengo
except ImportError:  # nefsim's own tests run without the oracle
    nengo = None

if nengo is not None:
    nengo.rc["decoder_cache"]["enabled"] = "False"
