"""The ``nefsim`` command line: ``nefsim demo``, ``nefsim bench``, ``nefsim run SCRIPT``."""

import argparse
import os
import runpy
import sys


def demo(args):
    """Run the communication-channel example and write a PNG of it."""
    here = os.path.dirname(os.path.abspath(__file__))
    example = os.path.join(os.path.dirname(here), "examples", "communication_channel.py")
    if not os.path.exists(example):
        sys.exit(f"the demo needs the examples/ folder of a nefsim checkout ({example})")
    module = runpy.run_path(example)
    result = module["run"](plot=args.plot)
    t, b, ideal = result["t"], result["b"][:, 0], result["ideal"][:, 0]
    print("nefsim demo: a 1 Hz sine wave through two ensembles of 100 spiking LIF neurons")
    print(f"{'t (s)':>8} {'decoded':>10} {'ideal':>10}")
    for i in range(199, len(t), 200):
        print(f"{t[i]:>8.3f} {b[i]:>10.3f} {ideal[i]:>10.3f}")
    print(f"RMSE of the decoded output against the ideal: {result['rmse']:.4f}")
    print(f"plot written to {args.plot}")


def run_script(args):
    """Run a Nengo script with ``import nengo`` served by nefsim."""
    from .compat import install_nengo_alias

    install_nengo_alias()
    sys.argv = [args.script, *args.args]
    runpy.run_path(args.script, run_name="__main__")


def bench(args):
    from .bench.__main__ import main as bench_main

    bench_main(args.args)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="nefsim", description="nefsim command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run a small model and plot it")
    p.add_argument("--plot", default="nefsim_demo.png", help="PNG path (default: %(default)s)")
    p.set_defaults(fn=demo)
    p = sub.add_parser("run", help="run a Nengo script on nefsim (import nengo → nefsim)")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(fn=run_script)
    p = sub.add_parser("bench", help="benchmark against Nengo's reference simulator")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(fn=bench)
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
