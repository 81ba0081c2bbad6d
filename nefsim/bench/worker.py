"""Run one benchmark configuration in this process and print one JSON line.

Usage: ``python -m nefsim.bench.worker SIMULATOR MODEL N_NEURONS SECONDS``.
"""

import json
import resource
import sys
import time

import numpy as np

from .models import MODELS


def run(simulator, model, n_neurons, seconds):
    if simulator == "nengo":
        import nengo

        nengo.rc["decoder_cache"]["enabled"] = "False"
        kwargs = {"progress_bar": False}
        module = nengo
    else:  # "nefsim" (NumPy backend) or "jax" (nefsim's JAX backend, float32)
        import nefsim

        kwargs = {"progress_bar": False, "decoder_cache": False}
        if simulator == "jax":
            kwargs["backend"] = "jax"
        module = nefsim
    net, probe = MODELS[model](module, n_neurons=n_neurons)
    t0 = time.perf_counter()
    sim = module.Simulator(net, **kwargs)
    build_s = time.perf_counter() - t0  # cold: includes first-use imports and caches
    net, probe = MODELS[model](module, n_neurons=n_neurons)
    t0 = time.perf_counter()
    sim = module.Simulator(net, **kwargs)
    warm_build_s = time.perf_counter() - t0  # the same model built again in this process
    t0 = time.perf_counter()
    sim.run(1.0)  # warm-up; for JAX this includes compiling the loop
    first_run_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim.run(seconds)
    run_s = time.perf_counter() - t0
    steps = int(round(seconds / sim.dt))
    out = np.asarray(sim.data[probe])
    return {
        "simulator": simulator, "model": model, "n_neurons": n_neurons, "seconds": seconds,
        "build_s": build_s, "warm_build_s": warm_build_s, "first_run_s": first_run_s,
        "us_per_step": 1e6 * run_s / steps,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "probe_mean_last_half": float(out[len(out) // 2:].mean()),
    }


if __name__ == "__main__":
    sim, model, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(run(sim, model, n, secs)))
