"""The compiled JAX backend: the same IR as the NumPy backend, run in ``jit(lax.scan)``.

Between chunks the state is one array ``(batch, n_total)`` in the chosen dtype (float32
by default), laid out as the NumPy backend lays it out.  Inside the compiled loop it is
carried as a tuple of column blocks, cut wherever a kernel's columns begin or end, so a
merged op group reads and writes whole arrays and XLA can fuse it (see
:class:`_Segments`).  Every op group becomes a pure function ``state -> state``; a step
applies them in schedule order, and ``lax.scan`` runs a chunk of steps in one compiled
call.  Groups of equal-shaped dense products run as one batched product, like the NumPy
backend's; other groups as one sparse (COO) product; LIF groups use the cheaper form of
the same step in :func:`lif_kernel`.  Probes are gathered inside the loop and copied out
once per chunk, decimated to their ``sample_every``.

Python callbacks cannot run inside the compiled loop.  Nodes and processes that depend
only on time are evaluated on the host for a whole chunk before it runs (their outputs,
checked once per chunk, enter the scan as inputs); callbacks that read a signal (a Node with an input, a
connection function on a Node or Direct ensemble) are called from the loop through
``jax.pure_callback``, which works but costs a host round trip per step.  Neuron types
that draw random numbers (Poisson, Stochastic) are not supported yet and raise an error
when the model is compiled.

Needs ``pip install nefsim[jax]``.
"""

import bisect
import math

import numpy as np

from ..build.ir import (Copy, DotInc, ElementwiseInc, Filter, LearnedDotInc, NeuronStep,
                        ProcessStep, ProjectedInc, PyFunc, Reset, RuleStep, TransformInc,
                        sampled)
from ..build.schedule import compact, global_indices, layout
from ..exceptions import BuildError, SimulationError
from ..neurons import LIF
from ..synapses import filter_kind, filter_step
from ._indexing import all_dense, concat_indices, stacked_products
from ._processes import ProcessInstances
from .jax_runtime import compile_options, start
from .numpy import checked_output

CHUNK = 1000  # steps per compiled call: long enough to amortise dispatch, short for memory


def _indices(idx):
    """A slice stays a slice (cheap in XLA); index arrays become int32 arrays."""
    return idx if isinstance(idx, slice) else np.asarray(idx, dtype=np.int32)


def _expm1_series(x, a, eps):
    """``expm1(x)`` for ``x`` in ``[-a, 0]`` as a Taylor polynomial accurate to ``eps``
    (relative), or None when ``a`` is too large for a short one.

    Horner form, no cancellation: more accurate than ``exp(x) - 1`` and, with a few
    multiply-adds, cheaper than XLA's ``exp`` on a CPU.
    """
    terms, err = 1, a / 2
    while err > eps:  # the first dropped term bounds the relative error
        terms += 1
        err *= a / (terms + 1)
        if terms > 12:
            return None
    poly = 1.0 / math.factorial(terms)
    for k in range(terms - 1, 0, -1):
        poly = poly * x + 1.0 / math.factorial(k)
    return poly * x


def _log1m_series(o, a, eps):
    """``log1p(-o)`` for ``o`` in ``[0, a]`` as a Taylor polynomial accurate to ``eps``
    (relative), or None when ``a`` is too large for a short one.

    ``-(o + o**2/2 + o**3/3 + ...)`` in Horner form: with ``a`` about ``dt / tau_rc``
    (a spike's overshoot, see :func:`lif_kernel`) six multiply-adds reach float32
    precision, against some twenty operations for a general ``log``.
    """
    terms, err = 1, a / 2
    while err > eps:  # the first dropped term over the first kept one
        terms += 1
        err = a ** terms / (terms + 1)
        if terms > 12:
            return None
    poly = -1.0 / terms
    for k in range(terms - 1, 0, -1):
        poly = poly * o - 1.0 / k
    return poly * o


def lif_kernel(neuron_type, dt):
    """A cheaper JAX form of :class:`~nefsim.neurons.LIF`'s step, or None for others.

    Same maths as the reference step with cheaper transcendental functions: on a CPU
    ``jnp.where`` evaluates both branches, so the reference pays for ``expm1`` and
    ``log1p`` (each about twice the cost of ``exp`` / ``log`` in XLA) on every neuron
    every step, although only partially refractory neurons need the first and spiking
    ones the second.

    * decay ``expm1(-active / tau_rc)``: the constant ``expm1(-dt / tau_rc)`` for a
      neuron out of its refractory period for the whole step (most of them), else
      ``exp(x) - 1`` with ``x`` in ``[-dt / tau_rc, 0]`` (absolute error ~1 ulp, which
      is what the voltage update needs).
    * spike time ``log1p(-overshoot)``, ``overshoot = (v - 1) / (J - 1)``: a neuron
      that starts a step below threshold and crosses it ends with ``overshoot`` below
      ``a = -expm1(-dt / tau_rc)`` (the fraction of the way to ``J`` that one step of
      decay covers), about 0.05 with the defaults, so the log is a short series in
      ``overshoot`` (:func:`_log1m_series`), clipped to ``[0, a]`` for a voltage set
      above threshold by hand.
    * both series in float32 only, where they are within an ulp or two; float64 keeps
      ``exp`` and ``log1p``, so that it agrees with the reference step to ~1e-12.

    The updated voltage feeds all three results.  XLA on CPU fuses cheap shared
    operations into every consumer, so it would recompute that voltage (and the decay
    behind it) in each of the three output loops; ``one``, a traced scalar equal to 1
    that XLA cannot fold away, divides the updated voltage, and a division is an
    expensive operation that XLA computes once and stores instead (about a third less
    time per neuron; exact: ``x / 1 == x``).

    Returns ``step(J, voltage, refractory_time, xp, one=1.0) -> (output, voltage,
    refractory_time)``.
    """
    if type(neuron_type) is not LIF:
        return None
    tau_rc, tau_ref = neuron_type.tau_rc, neuron_type.tau_ref
    min_voltage, pulse = neuron_type.min_voltage, neuron_type.amplitude / dt
    full_decay = float(np.expm1(-dt / tau_rc))
    max_overshoot = -full_decay

    def step(J, voltage, refractory_time, xp, one=1.0):
        fast = xp is not np and voltage.dtype == np.float32
        refractory_time = refractory_time - dt
        x = xp.clip(refractory_time - dt, -dt, 0.0) / tau_rc
        partial = _expm1_series(x, dt / tau_rc, 2.0 ** -25) if fast else None
        partial = xp.exp(x) - 1 if partial is None else partial
        decay = xp.where(refractory_time <= 0, full_decay, partial)
        voltage = (voltage - (J - voltage) * decay) / one  # stored once (docstring)
        spiked = voltage > 1
        overshoot = (voltage - 1) / xp.where(spiked, J - 1, 1.0)
        log = None
        if fast:
            overshoot = xp.where(spiked, xp.minimum(overshoot, max_overshoot), 0.0)
            log = _log1m_series(overshoot, max_overshoot, 2.0 ** -25)
        else:
            overshoot = xp.where(spiked, overshoot, 0.0)
        spike_time = dt + tau_rc * (xp.log1p(-overshoot) if log is None else log)
        output = (spiked * pulse).astype(voltage.dtype)
        voltage = xp.where(spiked, 0.0, xp.maximum(voltage, min_voltage))
        refractory_time = xp.where(spiked, tau_ref + spike_time, refractory_time)
        return output, voltage, refractory_time
    return step


class _Segments:
    """The state while a step is traced: the flat buffer cut into column blocks.

    The scan carries one array per block instead of one ``(batch, n_total)`` array, so
    an op group whose columns are whole blocks reads and writes whole arrays, which XLA
    fuses freely; updating a slice of one big buffer instead serialises the groups
    through dynamic-update-slices and copies.  ``starts`` holds every block's first
    column and, last, the total width.  ``one`` is a traced scalar equal to 1 that
    kernels may use as an opaque divisor (see :func:`lif_kernel`).  Instances are
    immutable: :meth:`put` returns a new one.
    """

    def __init__(self, starts, parts, one=1.0):
        self.starts, self.parts, self.one = starts, parts, one

    def _overlap(self, a, b):
        """(block number, block start, block end) of the blocks meeting columns [a, b)."""
        i = bisect.bisect_right(self.starts, a) - 1
        while i < len(self.parts) and self.starts[i] < b:
            yield i, self.starts[i], self.starts[i + 1]
            i += 1

    def get(self, idx):
        import jax.numpy as jnp
        if not isinstance(idx, slice):
            if idx.size == 0:
                return jnp.zeros((self.parts[0].shape[0], 0), self.parts[0].dtype)
            lo, hi = int(idx.min()), int(idx.max()) + 1
            return self.get(slice(lo, hi))[:, idx - lo]
        a, b = idx.start, idx.stop
        pieces = [self.parts[i][:, max(a, s) - s:min(b, e) - s]
                  for i, s, e in self._overlap(a, b)]
        if len(pieces) == 1:
            return pieces[0]
        if not pieces:
            return jnp.zeros((self.parts[0].shape[0], 0), self.parts[0].dtype)
        return jnp.concatenate(pieces, axis=1)

    def put(self, idx, value, add=False):
        import jax.numpy as jnp
        from jax import lax
        if not isinstance(idx, slice):
            if idx.size == 0:
                return self
            lo, hi = int(idx.min()), int(idx.max()) + 1
            flat = self.get(slice(lo, hi))
            local = idx - lo
            flat = flat.at[:, local].add(value) if add else flat.at[:, local].set(value)
            return self.put(slice(lo, hi), flat)
        a, b = idx.start, idx.stop
        dtype = self.parts[0].dtype
        value = jnp.broadcast_to(jnp.asarray(value, dtype=dtype),
                                 (self.parts[0].shape[0], b - a))
        parts = list(self.parts)
        for i, s, e in self._overlap(a, b):
            lo, hi = max(a, s), min(b, e)
            piece = value[:, lo - a:hi - a]
            if add:
                piece = parts[i][:, lo - s:hi - s] + piece
            if lo == s and hi == e:
                parts[i] = piece
            else:
                parts[i] = lax.dynamic_update_slice_in_dim(parts[i], piece, lo - s, axis=1)
        return _Segments(self.starts, parts, self.one)


def _get(state, idx):
    """Columns ``idx`` of the state."""
    return state.get(idx)


def _put(state, idx, value, add=False):
    """The state with columns ``idx`` replaced by (with ``add``: increased by) ``value``.

    With an index array, ``add`` sums repeated columns, as the NumPy backend does.
    """
    return state.put(idx, value, add)


def _checked_outputs(op, values):
    """A callback's outputs over a chunk as an ``(n, size)`` float64 array, checked
    as :func:`~nefsim.backends.numpy.checked_output` checks one (all at once when
    they are well formed, one by one to name the bad one otherwise)."""
    size = op.out.size
    try:
        array = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
        if array.shape[1] == size and np.all(np.isfinite(array)):
            return array
    except (TypeError, ValueError):
        pass
    return np.stack([checked_output(op, value, size) for value in values])


class Backend:
    """Runs an :class:`~nefsim.build.ir.IR` with JAX.

    Parameters
    ----------
    ir : IR
    batch : int
        Independent copies of the model run side by side.
    dtype : str or numpy dtype
        ``"float32"`` (default) or ``"float64"`` (enables JAX's 64-bit mode).
    """

    chunk_steps = CHUNK  # steps per compiled chunk: progress bars advance by these

    def __init__(self, ir, batch=1, dtype="float32"):
        jax, jnp = start(sum(op.J.size for group in ir.groups for op in group.ops
                                if isinstance(op, NeuronStep)))
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise BuildError(f"the JAX backend runs float32 or float64, not {self.dtype}")
        if self.dtype == np.float64:
            jax.config.update("jax_enable_x64", True)
        self.jax, self.jnp = jax, jnp
        self.ir, self.dt, self.batch = ir, ir.dt, batch
        self.offsets, self.size = layout(ir.signals, ir.groups)
        self.host_inputs = []   # (op, offset into the per-step host input vector)
        self._host_size = 0
        self._cuts = {0, self.size}
        self.step_fns = [self._compile(group.ops) for group in ir.groups]
        self._probe_index = [
            (spec, spec.ref if isinstance(spec.ref, str) else self.index(spec.ref))
            for spec in ir.probes]
        self.processes = ProcessInstances(self.dt)  # made by reset
        self._chunk_fns = {}
        self.completed_steps = 0
        self._callback_error = None
        self.state = jnp.zeros((batch, self.size), dtype=self.dtype)

    def _indices(self, idx):
        """Index as used in a kernel; its ends become block boundaries of the carry."""
        idx = _indices(idx)
        if isinstance(idx, slice):
            self._cuts.update((idx.start, idx.stop))
        elif idx.size:
            self._cuts.update((int(idx.min()), int(idx.max()) + 1))
        return idx

    def _merged(self, indices):
        """The concatenated indices of several refs (a slice when contiguous)."""
        return self._indices(compact(concat_indices(indices)))

    # ------------------------------------------------------------------ public
    def index(self, ref):
        return global_indices(ref, self.offsets)

    @property
    def probe_index(self):
        return self._probe_index

    def reset(self, rng, keep_learned=False):
        """Initial values for every signal (learned ones kept if asked); new callbacks.

        ``rng`` draws the seeds of processes without their own seed: one RandomState
        (one process instance shared by the batch), or a list with one per trial.
        """
        initial = np.zeros((self.batch, self.size), dtype=self.dtype)
        old = np.asarray(self.state)
        for sig in self.ir.signals:
            start = self.offsets[sig]
            if keep_learned and sig.kind == "learned":
                initial[:, start:start + sig.size] = old[:, start:start + sig.size]
            else:
                initial[:, start:start + sig.size] = sig.initial
        self.state = self.jnp.asarray(initial)
        self.processes.reset([op for op, _ in self.host_inputs
                              if isinstance(op, ProcessStep)], rng)

    @property
    def process_rngs(self):
        return self.processes.rngs

    def restore_process(self, op, trials):
        """Put a process's instances back where a checkpoint left them."""
        self.processes.restore(op, trials)

    def read(self, idx):
        if isinstance(idx, str):
            value = np.asarray(self.ir.arrays[idx])
            return np.broadcast_to(value, (self.batch, *value.shape)).copy()
        return np.asarray(self.state)[:, idx]

    def run(self, start, steps, sinks, feeds=None):
        """Run ``steps`` steps in compiled chunks, appending probe samples to ``sinks``.

        ``feeds`` maps time-only PyFunc/ProcessStep ops to ``(batch, steps, size)``
        values used instead of calling them (per-trial inputs)."""
        feeds = feeds or {}
        self.completed_steps = 0
        done = 0
        while done < steps:
            n = min(CHUNK, steps - done)
            first = start + done + 1
            step_numbers = first + np.arange(n)
            times = step_numbers * self.dt
            host = self._host_values(
                times, {op: values[:, done:done + n] for op, values in feeds.items()})
            self._callback_error = None
            chunk, rows = self._chunk(n)
            samples = [sampled(step_numbers, self._probe_index[j][0].period) for j in rows]
            state, every, buffers = chunk(self.state, times.astype(self.dtype), host,
                                          np.ones((), self.dtype),
                                          self._sample_rows(samples, rows, n))
            if self._callback_error is not None:  # the chunk is discarded, state kept
                raise self._callback_error
            self.state = state
            if not np.all(np.isfinite(np.asarray(state))):
                raise SimulationError(
                    f"the simulation produced NaN or inf between steps {first} and "
                    f"{first + n - 1}; run it with backend='numpy' to find the first "
                    "non-finite value")
            every, buffers = iter(every), dict(zip(rows, zip(buffers, samples)))
            for j, sink in enumerate(sinks):
                if j in buffers:  # sampled in the loop: the first rows are the samples
                    buffer, keep = buffers[j]
                    sink.extend(np.asarray(buffer[:int(keep.sum())]))
                else:
                    sink.extend(np.asarray(next(every)))
            done += n
            self.completed_steps = done

    def write(self, idx, value):
        """Set ``state[:, idx] = value`` (broadcast over the batch) between runs."""
        state = np.array(self.state)
        state[:, idx] = value
        self.state = self.jnp.asarray(state)

    # ----------------------------------------------------------- the loop
    def _host_values(self, times, feeds=None):
        """Outputs of time-only callbacks for every step of a chunk: (n, batch, size);
        fed ops (``op -> (batch, n, size)``) take the given values instead."""
        out = np.zeros((len(times), self.batch, max(self._host_size, 1)), dtype=self.dtype)
        times = times.tolist()
        for op, offset in self.host_inputs:
            cols = slice(offset, offset + op.out.size)
            if feeds and op in feeds:
                out[:, :, cols] = np.swapaxes(feeds[op], 0, 1)
            elif isinstance(op, PyFunc):
                out[:, :, cols] = _checked_outputs(op, [op.fn(t) for t in times])[:, None]
            else:  # one process instance per trial, or one shared by all
                trials = [_checked_outputs(op, [step(t) for t in times])
                          for step in self.processes.steps[op]]
                for b in range(self.batch):
                    out[:, b, cols] = trials[b % len(trials)]
        return out

    def _probe_shape(self, idx):
        """The shape of one probe sample: ``(batch, size)``, or a constant's shape."""
        if isinstance(idx, str):
            return (self.batch, *np.shape(self.ir.arrays[idx]))
        return (self.batch, len(range(self.size)[idx]) if isinstance(idx, slice)
                else len(idx))

    @staticmethod
    def _sample_rows(samples, rows, n):
        """Per step of a chunk, the buffer row each sampled probe writes: its sample's
        number, or the spare last row on the steps it does not sample: ``(n, k)``."""
        out = np.zeros((n, len(rows)), dtype=np.int32)
        for k, (keep, size) in enumerate(zip(samples, rows.values())):
            out[:, k] = np.where(keep, np.cumsum(keep) - 1, size)
        return out

    def _chunk(self, n):
        """The compiled function running ``n`` steps (one per chunk length), and the
        probes it samples in the loop: ``{probe number: buffer rows}``.

        A probe recording every step is a ``scan`` output.  One with ``sample_every``
        longer than a step writes its samples into a buffer of ``ceil(n / period) + 1``
        rows carried through the loop (and a spare row that steps between samples
        write, or skip for large probes), so a chunk holds its samples only.
        """
        if n not in self._chunk_fns:
            jax, jnp, lax = self.jax, self.jnp, self.jax.lax
            step_fns = self.step_fns
            probes = self._probe_index
            rows = {j: min(n, math.ceil(n / spec.period) + 1)
                    for j, (spec, _) in enumerate(probes) if spec.period > 1}
            shapes = {j: self._probe_shape(idx) for j, (_, idx) in enumerate(probes)}
            starts = tuple(sorted(self._cuts)) if self.size else (0, 0)

            def sample(state, idx):
                if not isinstance(idx, str):
                    return _get(state, idx)
                value = jnp.asarray(self.ir.arrays[idx], dtype=self.dtype)
                return jnp.broadcast_to(value, (self.batch, *value.shape))

            def write(buffer, value, row, size):
                put = lambda b: lax.dynamic_update_index_in_dim(b, value, row, axis=0)
                if value.size < 4096:  # cheaper than a branch: spare row between samples
                    return put(buffer)
                return lax.cond(row < size, put, lambda b: b, buffer)

            def one_step(carry, inputs, one):
                parts, buffers = carry
                t, host, sample_rows = inputs
                state = _Segments(starts, parts, one)
                for fn in step_fns:
                    state = fn(state, t, host)
                every = tuple(sample(state, idx) for j, (_, idx) in enumerate(probes)
                              if j not in rows)
                buffers = tuple(
                    write(buffer, sample(state, probes[j][1]), sample_rows[k], rows[j])
                    for k, (j, buffer) in enumerate(zip(rows, buffers)))
                return (tuple(state.parts), buffers), every

            def chunk(state, times, host, one, sample_rows):
                """``one``: a runtime 1, see :class:`_Segments`."""
                parts = tuple(state[:, a:b] for a, b in zip(starts[:-1], starts[1:]))
                buffers = tuple(jnp.zeros((size + 1, *shapes[j]), self.dtype)
                                for j, size in rows.items())
                (parts, buffers), every = lax.scan(
                    lambda c, x: one_step(c, x, one), (parts, buffers),
                    (times, host, sample_rows))
                return jnp.concatenate(parts, axis=1), every, buffers

            self._chunk_fns[n] = (jax.jit(chunk, compiler_options=compile_options(jax)),
                                  rows)
        return self._chunk_fns[n]

    # -------------------------------------------------------- compile ops
    def _compile(self, ops):
        compilers = {Reset: self._reset, Copy: self._copy, ElementwiseInc: self._elementwise,
                     DotInc: self._dot, NeuronStep: self._neurons, Filter: self._filter,
                     PyFunc: self._pyfunc, ProcessStep: self._process,
                     TransformInc: self._transform, LearnedDotInc: self._learned_dot,
                     RuleStep: self._rule, ProjectedInc: self._projected}
        return compilers[type(ops[0])](ops)

    def _runs(self, *indices):
        """Cut parallel index arrays into runs that are consecutive in all of them.

        Returns ``[(position slice, one column slice per array), ...]``, or None when
        there are too many runs (then one gather / scatter is cheaper).  A merged group
        often spans a few contiguous blocks (biases of all ensembles plus one node);
        slices of whole blocks keep the step free of gathers over the whole state.
        """
        arrays = [concat_indices(idx) for idx in indices]
        n = arrays[0].size
        breaks = np.zeros(max(n - 1, 0), dtype=bool)
        for arr in arrays:
            breaks |= np.diff(arr) != 1
        edges = [0, *(np.flatnonzero(breaks) + 1).tolist(), n]
        if n == 0 or len(edges) - 1 > 32:
            return None
        runs = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            cols = [self._indices(slice(int(arr[lo]), int(arr[hi - 1]) + 1))
                    for arr in arrays]
            runs.append((slice(lo, hi), cols))
        return runs

    def _reset(self, ops):
        value = ops[0].value
        runs = self._runs([self.index(op.dst.ref()) for op in ops])
        if runs is None:
            idx = self._merged([self.index(op.dst.ref()) for op in ops])
            return lambda state, t, host: _put(state, idx, value)

        def reset(state, t, host):
            for _, (dst,) in runs:
                state = _put(state, dst, value)
            return state
        return reset

    def _copy(self, ops, scale=None):
        srcs = [self.index(op.src) for op in ops]
        dsts = [self.index(op.dst) for op in ops]
        inc = ops[0].inc if scale is None else True
        runs = self._runs(srcs, dsts)
        if runs is None:
            src, dst = self._merged(srcs), self._merged(dsts)
            runs = [(slice(None), (src, dst))]

        def copy(state, t, host):
            values = [_get(state, src) for _, (src, _) in runs]  # all reads first
            for (pos, (_, dst)), value in zip(runs, values):
                if scale is not None:
                    value = scale[pos] * value
                # an add sums repeated destinations, as the NumPy backend does
                state = _put(state, dst, value, add=inc)
            return state
        return copy

    def _elementwise(self, ops):
        scale = np.concatenate([np.broadcast_to(np.asarray(op.scale, dtype=float),
                                                (op.dst.size,)) for op in ops])
        return self._copy(ops, scale=scale.astype(self.dtype))

    def _dot(self, ops):
        """A group of products: dense and batched where it can be, else one COO product."""
        arrays = self.ir.arrays
        if all_dense(ops, arrays):
            stacked = self._stacked_dot(ops)
            if stacked is not None:
                return stacked
            if len(ops) <= 4 and sum(np.size(arrays[op.weights]) for op in ops) < 20000:
                return self._dense_dots(ops)
        return self._sparse_dot(ops)

    def _dense_dots(self, ops):
        """A few small dense products, one after the other."""
        jnp = self.jnp
        parts = [(self._indices(self.index(op.src)), self._indices(self.index(op.dst)),
                  np.asarray(self.ir.arrays[op.weights]).astype(self.dtype)) for op in ops]

        def dense_dots(state, t, host):
            for src, dst, W in parts:
                state = _put(state, dst, add=True, value=jnp.dot(_get(state, src), W.T))
            return state
        return dense_dots

    def _stacked_dot(self, ops):
        """Products of equal-shaped dense matrices, as one batched product (or None).

        Products reading the same input (several decoders of one ensemble) are stacked
        into one taller matrix first; when all the blocks then have one shape, the group
        is a single broadcast multiply-add, which XLA fuses, instead of a scatter.
        """
        found = stacked_products(ops, self.ir.arrays, self.index)
        if found is None:
            return None
        W, src, dst = found
        src, dst, W = self._indices(src), self._indices(dst), W.astype(self.dtype)
        (m, rows, cols), batch, jnp = W.shape, self.batch, self.jnp

        def stacked_dot(state, t, host):
            x = _get(state, src).reshape(batch, m, cols)
            if cols <= 2 < rows:  # one or two inputs per block (encoders): fused products
                y = x[:, :, 0, None] * W[None, :, :, 0]
                for j in range(1, cols):
                    y = y + x[:, :, j, None] * W[None, :, :, j]
            else:  # few outputs per block (decoders): one reduction per output row
                y = jnp.einsum("bmc,mrc->bmr", x, W)
            return _put(state, dst, add=True, value=y.reshape(batch, m * rows))
        return stacked_dot

    def _sparse_dot(self, ops):
        """Any group of products as one sparse (COO) product: gather, scale, scatter-add."""
        import scipy.sparse

        rows, cols, vals, dsts, srcs = [], [], [], [], []
        row0 = col0 = 0
        for op in ops:
            W = self.ir.arrays[op.weights]
            W = scipy.sparse.coo_matrix(W.toarray() if scipy.sparse.issparse(W)
                                        else np.atleast_2d(np.asarray(W, dtype=float)))
            rows.append(W.row + row0)
            cols.append(W.col + col0)
            vals.append(W.data)
            dsts.append(concat_indices([self.index(op.dst)]))
            srcs.append(concat_indices([self.index(op.src)]))
            row0 += W.shape[0]
            col0 += W.shape[1]
        src_of_col = np.concatenate(srcs)[np.concatenate(cols)]
        dst_of_row = np.concatenate(dsts)[np.concatenate(rows)]
        values = np.concatenate(vals).astype(self.dtype)
        gather = np.asarray(src_of_col, dtype=np.int32)
        scatter = np.asarray(dst_of_row, dtype=np.int32)
        return lambda state, t, host: _put(state, scatter, values * _get(state, gather),
                                           add=True)

    def _learned_dot(self, ops):
        (op,) = ops
        src, dst = self._indices(self.index(op.src)), self._indices(self.index(op.dst))
        w = self._indices(self.index(op.weights.ref()))
        rows, cols = op.shape
        jnp, batch = self.jnp, self.batch

        def learned(state, t, host):
            W = _get(state, w).reshape(batch, rows, cols)
            value = jnp.einsum("brc,bc->br", W, _get(state, src))
            return _put(state, dst, value, add=True)
        return learned

    def _transform(self, ops):
        (op,) = ops
        src, dst = self._indices(self.index(op.src)), self._indices(self.index(op.dst))
        weights = np.asarray(self.ir.arrays[op.weights])
        jnp = self.jnp
        return lambda state, t, host: _put(
            state, dst, op.transform.apply(weights, _get(state, src), xp=jnp), add=True)

    def _neurons(self, ops):
        if ops[0].rng is not None:
            raise BuildError(f"{ops[0].neuron_type!r} draws random numbers, which the JAX "
                             "backend does not support yet; use backend='numpy'")
        neuron_type, jnp, dt = ops[0].neuron_type, self.jnp, self.dt
        J = self._merged([self.index(op.J.ref()) for op in ops])
        out = self._merged([self.index(op.out.ref()) for op in ops])
        idx = {k: self._merged([self.index(op.state[k].ref()) for op in ops])
               for k in ops[0].state}
        scale = None
        if any(op.out_scale is not None for op in ops):  # silenced neurons emit 0
            scale = np.concatenate([np.ones(op.out.size) if op.out_scale is None
                                    else np.asarray(op.out_scale, dtype=float).reshape(-1)
                                    for op in ops]).astype(self.dtype)

        def write(state, output, new):
            state = _put(state, out, output if scale is None else output * scale)
            for k, i in idx.items():
                state = _put(state, i, new[k])
            return state

        def reference(state, t, host):
            current = {k: _get(state, i) for k, i in idx.items()}
            output, new = neuron_type.step(dt, _get(state, J), current, xp=jnp)
            return write(state, output, new)

        kernel = lif_kernel(neuron_type, dt)
        if kernel is None:
            return reference

        def lif(state, t, host):
            output, voltage, refractory_time = kernel(
                _get(state, J), _get(state, idx["voltage"]),
                _get(state, idx["refractory_time"]), jnp, state.one)
            return write(state, output, {"voltage": voltage,
                                         "refractory_time": refractory_time})
        return lif

    def _filter(self, ops):
        inp = self._merged([self.index(op.inp) for op in ops])
        out = self._merged([self.index(op.out.ref()) for op in ops])
        dtype = self.dtype
        if ops[0].is_onex():
            a = np.concatenate([np.full(op.out.size, op.A[0, 0]) for op in ops]).astype(dtype)
            b = np.concatenate([np.full(op.out.size, op.C[0, 0] * op.B[0, 0])
                                for op in ops]).astype(dtype)
            return lambda state, t, host: _put(state, out, 
                a * _get(state, out) + b * _get(state, inp))
        (op,) = ops
        k, size, batch = op.A.shape[0], op.out.size, self.batch
        xs = self._indices(self.index(op.state.ref()))
        A, B, C, D = (m.astype(dtype) for m in (op.A, op.B, op.C, op.D))
        kind, jnp = filter_kind(op.A, op.B, op.C, op.D), self.jnp

        def linear_filter(state, t, host):
            X = _get(state, xs).reshape(batch, k, size)
            y, X = filter_step(A, B, C, D, X, _get(state, inp), xp=jnp, kind=kind)
            state = _put(state, out, y)
            return _put(state, xs, X.reshape(batch, k * size))
        return linear_filter

    def _host_input(self, op, size):
        offset = self._host_size
        self.host_inputs.append((op, offset))
        self._host_size += size
        return slice(offset, offset + size)

    def _pyfunc(self, ops):
        (op,) = ops
        if op.out is None:  # an output-less node: call it for its side effects
            return self._callback(op, lambda args: (op.fn(*args), np.zeros(0))[1], 0)
        out = self._indices(self.index(op.out.ref()))
        if op.x is None and op.pass_time:  # a function of time: evaluated per chunk
            cols = self._host_input(op, op.out.size)
            return lambda state, t, host: _put(state, out, host[:, cols])
        fn = op.fn
        return self._callback(op, lambda args: fn(*args), op.out.size, out)

    def _callback(self, op, call, size, out=None):
        """A Python callable reading a signal, called from the loop on the host."""
        jax, dtype, batch = self.jax, self.dtype, self.batch
        x = None if op.x is None else self._indices(self.index(op.x))

        def host_call(t, xs):
            rows = np.zeros((batch, size), dtype=dtype)
            if self._callback_error is not None:
                return rows  # an earlier step of this chunk failed; it will be raised
            try:
                for b in range(batch):
                    args = ((float(t),) if op.pass_time else ()) + (
                        () if xs is None else (np.array(xs[b]),))
                    value = call(args)
                    if size:
                        rows[b] = checked_output(op, value, size)
            except Exception as err:  # raised in run(): JAX would wrap it otherwise
                self._callback_error = err
            return rows

        shape = jax.ShapeDtypeStruct((batch, size), dtype)

        def step(state, t, host):
            xs = None if x is None else _get(state, x)
            if xs is None:
                value = jax.pure_callback(lambda t: host_call(t, None), shape, t)
            else:
                value = jax.pure_callback(host_call, shape, t, xs)
            return state if out is None else _put(state, out, value)
        return step

    def _process(self, ops):
        (op,) = ops
        if op.inp is not None:
            raise BuildError(f"{op.owner}: a Process with an input cannot run in the JAX "
                             "backend yet; use backend='numpy'")
        out = self._indices(self.index(op.out))
        cols = self._host_input(op, op.out.size)
        if op.mode == "inc":
            return lambda state, t, host: _put(state, out, add=True, value=host[:, cols])
        return lambda state, t, host: _put(state, out, host[:, cols])

    def _rule(self, ops):
        """A learning rule: reads its inputs and carried state, writes delta and state.

        The rule is written for one model (``fn(xp, **arrays)``); a batch maps it over
        the trials with ``vmap``.
        """
        (op,) = ops
        jax, jnp, batch = self.jax, self.jnp, self.batch
        reads = {k: (self._indices(self.index(ref)), shape)
                 for k, (ref, shape) in op.inputs.items()}
        carried = {k: (self._indices(self.index(sig.ref())), shape)
                   for k, (sig, shape) in op.state.items()}
        reads.update(carried)
        delta = self._indices(self.index(op.delta.ref()))
        fn = op.fn

        def one(args):
            value, new_state = fn(jnp, **args)
            return jnp.reshape(value, -1), {k: jnp.reshape(new_state[k], -1)
                                            for k in carried}
        batched = jax.vmap(one)

        def rule(state, t, host):
            args = {k: _get(state, i).reshape(batch, *shape) for k, (i, shape) in reads.items()}
            if batch == 1:
                value, new_state = one({k: a[0] for k, a in args.items()})
                value, new_state = value[None], {k: a[None] for k, a in new_state.items()}
            else:
                value, new_state = batched(args)
            state = _put(state, delta, value)
            for k, (i, _) in carried.items():
                state = _put(state, i, new_state[k])
            return state
        return rule

    def _projected(self, ops):
        """``W[:, cols] += keep * (P @ D)`` per trial (see :class:`ProjectedInc`)."""
        (op,) = ops
        jnp, batch = self.jnp, self.batch
        src = self._indices(self.index(op.src))
        rows, cols = op.shape
        targets = concat_indices([self.index(op.dst)]).reshape(rows, cols)
        P = None if op.P is None else np.asarray(op.P, dtype=float).astype(self.dtype)
        keep = None if op.keep is None else np.asarray(op.keep, dtype=float).reshape(rows, cols)
        if op.cols is not None:  # only the learned columns change
            columns = np.asarray(op.cols, dtype=np.intp)
            targets = targets[:, columns]
            keep = None if keep is None else keep[:, columns]
        dst = self._indices(compact(targets.reshape(-1)))
        keep = None if keep is None else keep.astype(self.dtype)
        delta_shape = tuple(op.delta_shape)

        def projected(state, t, host):
            update = _get(state, src).reshape(batch, *delta_shape)
            if P is not None:
                update = jnp.einsum("ij,bjk->bik", P, update)
            if keep is not None:
                update = update * keep
            return _put(state, dst, update.reshape(batch, -1), add=True)
        return projected
