"""``python -m nefsim.bench``: nefsim's NumPy and JAX backends vs Nengo's reference.

Each configuration runs in fresh processes side by side; the JAX rows appear when JAX is
installed (``pip install nefsim[jax]``).
"""

import argparse
import importlib.util
import json
import subprocess
import sys

from .._io import atomic_text


def measure(simulator, model, n_neurons, seconds, repeats):
    """Median over ``repeats`` fresh processes of one configuration."""
    rows = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-m", "nefsim.bench.worker", simulator, model, str(n_neurons),
             str(seconds)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows.sort(key=lambda r: r["us_per_step"])
    best = dict(rows[len(rows) // 2])
    for key in ("build_s", "warm_build_s"):
        best[key] = sorted(r[key] for r in rows)[len(rows) // 2]
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000],
                        help="neurons per ensemble (default: 100 1000)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="simulated seconds for lif_chain (circconv always runs 1 s, "
                        "pes 10 s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the rows as JSON to this path")
    parser.add_argument("--models", nargs="+", choices=["lif_chain", "circconv", "pes"],
                        default=["lif_chain", "circconv", "pes"],
                        help="models to run (default: all)")
    args = parser.parse_args(argv)
    # Look packages up without importing them: a worker is forked from this process, and
    # Linux carries the parent's peak RSS into the child's, which would inflate "peak MB".
    if importlib.util.find_spec("nengo") is None:
        sys.exit("nengo is needed as the reference: pip install nengo==4.1.0")

    header = (f"{'model':<20}{'sim':<8}{'build s':>9}{'warm s':>8}{'us/step':>9}"
              f"{'peak MB':>9}{'speed-up':>10}{'build ratio':>13}")
    print(header)
    print("-" * len(header))
    configs = []  # (row label, model, n_neurons argument, simulated seconds)
    if "lif_chain" in args.models:
        configs += [(f"lif_chain 10x{n}", "lif_chain", n, args.seconds) for n in args.sizes]
    if "circconv" in args.models:
        configs.append(("circconv 64D n=200", "circconv", 200, 1.0))
    if "pes" in args.models:
        configs.append(("pes 2x30 LIF", "pes", 30, 10.0))
    simulators = ["nengo", "nefsim"] + (["jax"] if _has_jax() else [])
    table = []
    for label, model, n, seconds in configs:
        rows = [measure(sim, model, n, seconds, args.repeats) for sim in simulators]
        ref = rows[0]
        for r in rows:
            r["speed_up"] = ref["us_per_step"] / r["us_per_step"]
            r["build_ratio"] = ref["build_s"] / r["build_s"]
            r["label"] = label
            print(f"{label:<20}{r['simulator']:<8}{r['build_s']:>9.3f}"
                  f"{r['warm_build_s']:>8.3f}{r['us_per_step']:>9.1f}{r['peak_rss_mb']:>9.0f}"
                  f"{r['speed_up']:>9.2f}x{r['build_ratio']:>12.2f}x")
        table += rows
    if args.json:
        atomic_text(args.json, json.dumps(table, indent=1))
    simulated = ", ".join(f"{model} {seconds:g} s" for model, seconds in
                          dict((model, seconds) for _, model, _, seconds in configs).items())
    print("\nbuild s: first build in a fresh process (includes first-use imports); warm s: "
          "the same model built again in that process; jax = nefsim's JAX backend "
          "(float32, CPU), timed after its first 1 s run, which compiles the loop."
          "\nspeed-up = Nengo µs/step ÷ nefsim "
          "µs/step; build ratio = Nengo build s ÷ nefsim build s (both > 1 mean nefsim is "
          "faster). Medians of "
          f"{args.repeats} fresh processes; simulated: {simulated}; decoder caches off.")


def _has_jax():
    return importlib.util.find_spec("jax") is not None


if __name__ == "__main__":
    main()
