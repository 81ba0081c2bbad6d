"""How nefsim starts JAX: the size of XLA's CPU thread pool and the compile options.

A simulation step is a dozen or so kernels.  XLA's CPU runtime runs independent kernels
of one step concurrently on its thread pool; for kernels of a few microseconds the
hand-off between threads costs more than it saves.  Measured on the 2-core benchmark
machine (docs/benchmarks.md): one thread runs the 10 x 1,000-neuron LIF chain in
14.5-15 µs per step against 16-22 µs with two, CircularConvolution (26,400 neurons) in
30 µs against 40-50, while the 10 x 10,000-neuron chain takes 152 µs with one thread
and 96 µs with two.

XLA sizes that pool from the CPU affinity of the thread that first creates JAX's CPU
client, which is the way JAX's maintainers recommend to limit it (jax-ml/jax#1539).
:func:`start` therefore narrows the calling thread's affinity to ``threads`` CPUs while
JAX starts, then gives every thread the original affinity back, so the pool is small
but no thread stays pinned.  It has an effect only when nefsim is the first to start
JAX in the process, and only on Linux.  The pool then serves every later simulator of
the process, so the first JAX model sets it: one thread below
:data:`SMALL_MODEL_NEURONS` neurons, JAX's default (one per CPU) from there.
``NEFSIM_JAX_THREADS=N`` asks for ``N`` threads whatever the model (``0``: JAX's
default).

:func:`compile_options` are XLA options for the compiled loop: on CPUs with 512-bit
vector units, 512-bit vectors (LLVM prefers 256-bit ones by default), ~15% faster
per neuron.
"""

import os

from ..exceptions import ValidationError

THREADS_VARIABLE = "NEFSIM_JAX_THREADS"
SMALL_MODEL_NEURONS = 50_000
"""Below this many neurons one thread is faster (see above); the crossover lies between
the 26,400 neurons of CircularConvolution and 100,000."""


def _jax():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        raise ImportError("the JAX backend needs JAX: pip install 'nefsim[jax]'") from None
    return jax, jnp


def requested_threads(neurons):
    """Threads for XLA's CPU pool: ``NEFSIM_JAX_THREADS`` if set, else by model size
    (``neurons``: of the model being compiled).  0 means JAX's default."""
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if not text:
        return 1 if neurons < SMALL_MODEL_NEURONS else 0
    try:
        threads = int(text)
    except ValueError:
        threads = -1
    if threads < 0:
        raise ValidationError(f"must be a whole number >= 0 (got {text!r})",
                              THREADS_VARIABLE, "environment")
    return threads


def _threads():
    return {int(tid) for tid in os.listdir("/proc/self/task")}


def start(neurons=0):
    """Import JAX and start its backends with the thread pool for a model of
    ``neurons`` neurons (see the module docstring).

    Returns ``(jax, jax.numpy)``.  Safe to call any number of times: once JAX runs,
    starting it again creates no pool and this only restores the affinity it set.
    """
    threads = requested_threads(neurons)
    jax, jnp = _jax()
    narrow = threads and hasattr(os, "sched_setaffinity")
    if narrow and len(os.sched_getaffinity(0)) > threads:
        _start_narrowed(jax, threads)
    else:
        jax.devices()
    return jax, jnp


def _start_narrowed(jax, threads):
    """Start JAX with the calling thread on ``threads`` CPUs, then give the calling
    thread and the threads JAX made meanwhile the original CPU set back."""
    original = os.sched_getaffinity(0)
    before = _threads()
    os.sched_setaffinity(0, sorted(original)[:threads])
    try:
        jax.devices()
    finally:
        os.sched_setaffinity(0, original)
        for tid in _threads() - before:  # the pool's threads inherited the narrow set
            try:
                os.sched_setaffinity(tid, original)
            except OSError:  # a thread that ended meanwhile
                pass


def compile_options(jax):
    """XLA options for the compiled loop on the default backend (empty off CPU)."""
    if jax.default_backend() != "cpu":
        return {}
    return {"xla_cpu_prefer_vector_width": 512}
