"""``python -m nefsim.bench``: nefsim's NumPy and JAX backends vs Nengo's reference.

Each configuration runs in fresh processes side by side; the JAX rows appear when JAX is
installed (``pip install nefsim[jax]``).  ``--models build`` adds the build of a chain of
10 ensembles of 10,000 neurons (minutes: Nengo's side is scaled from one ensemble unless
``--full-nengo-build``); ``--sizes 100 1000 10000`` adds the 10,000-neuron chain.
"""

import argparse
import importlib.util
import json
import subprocess
import sys

from .._io import atomic_text
from .floor import FORMULA

DEFAULT_MODELS = ["lif_chain", "circconv", "pes"]
BIG_BUILD = {"n_neurons": 10000, "n_ensembles": 10}
BIG_NEURONS = 3000  # ensembles this big are built once per worker (no warm rebuild)


def measure(simulator, model, n_neurons, seconds, repeats, options=()):
    """Median over ``repeats`` fresh worker processes of one configuration."""
    rows = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-m", "nefsim.bench.worker", simulator, model, str(n_neurons),
             str(seconds), *options], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"benchmark worker {simulator} {model} {n_neurons} failed:\n"
                               f"{out.stderr[-3000:]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    timed = "us_per_step" if rows[0]["us_per_step"] is not None else "build_s"
    rows.sort(key=lambda r: r[timed])
    best = dict(rows[len(rows) // 2])
    for key in ("build_s", "warm_build_s", "compile_s", "peak_rss_mb"):
        values = sorted(r[key] for r in rows if r[key] is not None)
        best[key] = values[len(values) // 2] if values else None
    best["repeats"] = repeats
    return best


def configurations(args):
    """``(label, model, n_neurons, seconds, options, nengo_options, nengo_scale)``."""
    configs = []
    if "lif_chain" in args.models:
        for n in args.sizes:
            options = ["--no-warm-build"] if n >= BIG_NEURONS else []
            configs.append((f"lif_chain 10x{n}", "lif_chain", n, args.seconds, options,
                            options, 1))
    if "circconv" in args.models:
        configs.append(("circconv 64D n=200", "circconv", 200, 1.0, [], [], 1))
    if "pes" in args.models:
        configs.append(("pes 2x30 LIF", "pes", 30, 10.0, [], [], 1))
    if "build" in args.models:
        n, k = BIG_BUILD["n_neurons"], BIG_BUILD["n_ensembles"]
        options = ["--build-only", "--no-warm-build", "--ensembles", str(k)]
        nengo_k = k if args.full_nengo_build else 1
        nengo_options = ["--build-only", "--no-warm-build", "--ensembles", str(nengo_k)]
        configs.append((f"build {k}x{n}", "lif_chain", n, 0.0, options, nengo_options,
                        k // nengo_k))
    return configs


def add_ratios(rows):
    """Ratios of each row to the first (Nengo's), and to the physical floor.

    ``speed_up`` = Nengo µs/step ÷ µs/step, ``build_ratio`` = Nengo build s ÷ build s,
    ``peak_ratio`` = Nengo peak MB ÷ peak MB, ``floor_ratio`` = µs/step ÷ floor µs.
    """
    ref = rows[0]
    for r in rows:
        r["speed_up"] = _ratio(ref["us_per_step"], r["us_per_step"])
        r["build_ratio"] = _ratio(ref["build_s"], r["build_s"])
        r["peak_ratio"] = _ratio(ref["peak_rss_mb"], r["peak_rss_mb"])
        r["floor_ratio"] = _ratio(r["us_per_step"], r["floor_us"])
    return rows


def _ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


HEADER = (f"{'model':<20}{'sim':<8}{'build s':>9}{'warm s':>8}{'compile s':>10}"
          f"{'us/step':>9}{'peak MB':>9}{'speed-up':>10}{'build ratio':>12}"
          f"{'mem ratio':>10}{'floor x':>9}")


def format_row(r):
    def num(value, width, fmt, suffix=""):
        text = "-" if value is None else format(value, fmt) + suffix
        return f"{text:>{width}}"

    return (f"{r['label']:<20}{r['simulator']:<8}{num(r['build_s'], 9, '.3f')}"
            f"{num(r['warm_build_s'], 8, '.3f')}{num(r['compile_s'], 10, '.2f')}"
            f"{num(r['us_per_step'], 9, '.1f')}{num(r['peak_rss_mb'], 9, '.0f')}"
            f"{num(r['speed_up'], 10, '.2f', 'x')}{num(r['build_ratio'], 12, '.2f', 'x')}"
            f"{num(r['peak_ratio'], 10, '.2f', 'x')}{num(r['floor_ratio'], 9, '.1f')}")


def footer(args, configs, scaled):
    simulated = ", ".join(f"{model} {seconds:g} s" for model, seconds in dict(
        (c[1], c[3]) for c in configs if c[3] > 0).items())
    lines = [
        "build s: first build in a fresh process (includes first-use imports); warm s: the "
        "same model built again in that process; compile s (jax): the first run (1 s, or "
        "the simulated time if shorter) minus what its steps cost once compiled.  "
        "jax = nefsim's JAX backend (float32, CPU).",
        "speed-up = Nengo µs/step ÷ µs/step; build ratio = Nengo build s ÷ build s; mem "
        "ratio = Nengo peak MB ÷ peak MB (> 1 means nefsim is faster or smaller); floor x "
        "= µs/step ÷ the physical floor, " + FORMULA + ".",
        f"Medians of {args.repeats} fresh processes; simulated: {simulated or 'nothing'}; "
        "decoder caches off."]
    if scaled:
        lines.append(
            "build 10x10000: Nengo builds 1 of the 10 ensembles (one 10,000-neuron solve, "
            "as each of the 10 needs) and its build s is multiplied by 10; its peak MB is "
            "that build's own, which one ensemble at a time sets (--full-nengo-build builds "
            "all 10: 362 s on a quiet machine).")
    return "\n".join(lines)


def plot(table, path):
    """Bar chart of the speed-up and build ratio of each configuration (log scale)."""
    from ..plot import _pyplot, save_figure

    plt = _pyplot()
    from matplotlib import ticker

    labels = list(dict.fromkeys(r["label"] for r in table))
    simulators = list(dict.fromkeys(r["simulator"] for r in table))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(simulators)
    for ax, key, title in ((axes[0], "speed_up", "speed-up vs Nengo (µs/step)"),
                           (axes[1], "build_ratio", "build speed vs Nengo")):
        positive = False
        for j, sim in enumerate(simulators):
            values = [next((r[key] for r in table if r["label"] == label
                            and r["simulator"] == sim), None) or 0 for label in labels]
            positive = positive or any(v > 0 for v in values)
            ax.bar([i + j * width for i in range(len(labels))], values, width, label=sim)
        if not positive:  # e.g. build rows only: nothing was run
            ax.set_visible(False)
            continue
        ax.set_xticks([i + width * (len(simulators) - 1) / 2 for i in range(len(labels))])
        ax.set_xticklabels(labels, rotation=20, ha="right", fontsize="small")
        ax.set_yscale("log")
        for axis in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
            axis(ticker.FuncFormatter(lambda v, _: f"{v:g}x"))
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_title(title)
        ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000],
                        help="neurons per ensemble of the LIF chain (default: 100 1000)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="simulated seconds for lif_chain (circconv always runs 1 s, "
                        "pes 10 s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the table as JSON to this path")
    parser.add_argument("--plot", help="also write a bar chart (PNG) to this path")
    parser.add_argument("--models", nargs="+", choices=DEFAULT_MODELS + ["build"],
                        default=DEFAULT_MODELS,
                        help="models to run (default: lif_chain circconv pes; 'build' is "
                        "the 10 x 10,000-neuron build, several minutes)")
    parser.add_argument("--simulators", nargs="+", choices=["nefsim", "jax"],
                        help="nefsim backends to compare with Nengo (default: nefsim, and "
                        "jax where installed)")
    parser.add_argument("--full-nengo-build", action="store_true",
                        help="build all 10 big ensembles with Nengo instead of scaling one")
    args = parser.parse_args(argv)
    # Look packages up without importing them: a worker is forked from this process, and
    # Linux carries the parent's peak RSS into the child's, which would inflate "peak MB".
    if importlib.util.find_spec("nengo") is None:
        sys.exit("nengo is needed as the reference: pip install nengo==4.1.0")
    ours = args.simulators or (["nefsim"] + (["jax"] if _has_jax() else []))

    print(HEADER)
    print("-" * len(HEADER))
    configs = configurations(args)
    table = []
    for label, model, n, seconds, options, nengo_options, scale in configs:
        ref = measure("nengo", model, n, seconds, args.repeats, nengo_options)
        if scale != 1:
            ref["measured_build_s"], ref["build_scale"] = ref["build_s"], scale
            ref["build_s"] *= scale
        sims = [s for s in ours if not (seconds == 0 and s == "jax")]  # jax builds alike
        rows = add_ratios([ref] + [measure(s, model, n, seconds, args.repeats, options)
                                   for s in sims])
        for r in rows:
            r["label"] = label
            print(format_row(r), flush=True)
        table += rows
    note = footer(args, configs, any(c[6] != 1 for c in configs))
    print("\n" + note)
    if args.json:
        atomic_text(args.json, json.dumps({"rows": table, "footer": note,
                                           "floor_formula": FORMULA}, indent=1))
    if args.plot:
        plot(table, args.plot)


def _has_jax():
    return importlib.util.find_spec("jax") is not None


if __name__ == "__main__":
    main()
