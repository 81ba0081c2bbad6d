"""Run one benchmark configuration in this process and print one JSON line.

Usage: ``python -m nefsim.bench.worker SIMULATOR MODEL N_NEURONS SECONDS [options]``
(``--help`` lists the options).  The main process starts a fresh worker per measurement,
so that ``peak_rss_mb`` (the process's peak resident memory) is that configuration's own.
"""

import argparse
import json
import resource
import time

import numpy as np

from .floor import floor_us, model_cost
from .models import MODELS

WARMUP_SECONDS = 1.0  # the first run (or ``seconds`` if shorter): JAX compiles the loop


def _simulator_module(simulator):
    """``(module, Simulator kwargs, bytes per value)`` for a simulator name."""
    if simulator == "nengo":
        import nengo

        nengo.rc["decoder_cache"]["enabled"] = "False"
        return nengo, {"progress_bar": False}, 8
    import nefsim  # "nefsim" (NumPy backend) or "jax" (nefsim's JAX backend, float32)

    kwargs = {"progress_bar": False, "decoder_cache": False}
    if simulator == "jax":
        kwargs["backend"] = "jax"
    return nefsim, kwargs, 4 if simulator == "jax" else 8


def run(simulator, model, n_neurons, seconds, n_ensembles=None, build_only=False,
        warm_build=True):
    """Build (and unless ``build_only``, run) one model; return the row as a dict.

    ``n_ensembles`` overrides the LIF chain's ensemble count; ``warm_build`` builds the
    model a second time in this process (the build without first-use imports).
    """
    module, kwargs, bytes_per_value = _simulator_module(simulator)
    extra = {} if n_ensembles is None else {"n_ensembles": n_ensembles}
    net, probe = MODELS[model](module, n_neurons=n_neurons, **extra)
    flops, values = model_cost(net)
    t0 = time.perf_counter()
    sim = module.Simulator(net, **kwargs)
    build_s = time.perf_counter() - t0  # cold: includes first-use imports and caches
    row = {"simulator": simulator, "model": model, "n_neurons": n_neurons,
           "n_ensembles": n_ensembles, "seconds": seconds, "build_s": build_s,
           "warm_build_s": None, "first_run_s": None, "compile_s": None,
           "us_per_step": None, "flops_per_step": flops,
           "bytes_per_step": values * bytes_per_value,
           "floor_us": floor_us(flops, values, bytes_per_value)}
    if warm_build:
        del sim
        net, probe = MODELS[model](module, n_neurons=n_neurons, **extra)
        t0 = time.perf_counter()
        sim = module.Simulator(net, **kwargs)
        row["warm_build_s"] = time.perf_counter() - t0
    if not build_only:
        # the same chunk length as the timed run, so that JAX compiles it here only
        warmup = min(WARMUP_SECONDS, seconds)
        t0 = time.perf_counter()
        sim.run(warmup)
        row["first_run_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        sim.run(seconds)
        run_s = time.perf_counter() - t0
        steps = int(round(seconds / sim.dt))
        row["us_per_step"] = 1e6 * run_s / steps
        if simulator == "jax":  # the first run minus what its steps cost when compiled
            warm_steps = int(round(warmup / sim.dt))
            row["compile_s"] = max(0.0, row["first_run_s"] - warm_steps * run_s / steps)
        out = np.asarray(sim.data[probe])
        row["probe_mean_last_half"] = float(out[len(out) // 2:].mean())
    row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("simulator", choices=["nengo", "nefsim", "jax"])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("n_neurons", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("--ensembles", type=int, help="LIF chain: number of ensembles")
    parser.add_argument("--build-only", action="store_true", help="build, do not run")
    parser.add_argument("--no-warm-build", action="store_true",
                        help="build once only (big models)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.simulator, args.model, args.n_neurons, args.seconds,
                         n_ensembles=args.ensembles, build_only=args.build_only,
                         warm_build=not args.no_warm_build)))


if __name__ == "__main__":
    main()
