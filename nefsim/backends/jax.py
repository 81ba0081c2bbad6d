"""The compiled JAX backend: the same IR as the NumPy backend, run in ``jit(lax.scan)``.

The whole state is one array ``(batch, n_total)`` in the chosen dtype (float32 by
default).  Every op group becomes a pure function ``state -> state``; a step applies them
in schedule order, and ``lax.scan`` runs a chunk of steps in one compiled call.  Probes
are gathered inside the loop and copied out once per chunk, decimated to their
``sample_every``.

Python callbacks cannot run inside the compiled loop.  Nodes and processes that depend
only on time are evaluated on the host for a whole chunk before it runs (their outputs
enter the scan as inputs); callbacks that read a signal (a Node with an input, a
connection function on a Node or Direct ensemble) are called from the loop through
``jax.pure_callback``, which works but costs a host round trip per step.  Neuron types
that draw random numbers (Poisson, Stochastic) are not supported yet and raise an error
when the model is compiled.

Needs ``pip install nefsim[jax]``.
"""

import numpy as np

from ..build.ir import (Copy, DotInc, ElementwiseInc, Filter, LearnedDotInc, NeuronStep,
                        ProcessStep, PyFunc, Reset, RuleStep, TransformInc)
from ..build.schedule import global_indices, layout
from ..exceptions import BuildError, SimulationError
from ..synapses import filter_kind, filter_step
from .numpy import checked_output

CHUNK = 1000  # steps per compiled call: long enough to amortise dispatch, short for memory


def _jax():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        raise ImportError("the JAX backend needs JAX: pip install 'nefsim[jax]'") from None
    return jax, jnp


def _indices(idx):
    """A slice stays a slice (cheap in XLA); index arrays become int32 arrays."""
    return idx if isinstance(idx, slice) else np.asarray(idx, dtype=np.int32)


def _concat(indices):
    parts = [np.arange(i.start, i.stop) if isinstance(i, slice) else np.asarray(i)
             for i in indices]
    return np.concatenate(parts).astype(np.int64)


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

    def __init__(self, ir, batch=1, dtype="float32"):
        jax, jnp = _jax()
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
        self.step_fns = [self._compile(group.ops) for group in ir.groups]
        self._probe_index = [
            (spec, spec.ref if isinstance(spec.ref, str) else self.index(spec.ref))
            for spec in ir.probes]
        self._process_steps = {}
        self._chunk_fns = {}
        self.completed_steps = 0
        self._callback_error = None
        self.state = jnp.zeros((batch, self.size), dtype=self.dtype)

    # ------------------------------------------------------------------ public
    def index(self, ref):
        return global_indices(ref, self.offsets)

    @property
    def probe_index(self):
        return self._probe_index

    def reset(self, rng, keep_learned=False):
        """Initial values for every signal (learned ones kept if asked); new callbacks."""
        initial = np.zeros((self.batch, self.size), dtype=self.dtype)
        old = np.asarray(self.state)
        for sig in self.ir.signals:
            start = self.offsets[sig]
            if keep_learned and sig.kind == "learned":
                initial[:, start:start + sig.size] = old[:, start:start + sig.size]
            else:
                initial[:, start:start + sig.size] = sig.initial
        self.state = self.jnp.asarray(initial)
        for op, _ in self.host_inputs:
            if isinstance(op, ProcessStep):
                seed = (op.process.seed if op.process.seed is not None
                        else rng.randint(np.iinfo(np.int32).max))
                shape_out = (op.out.size,)
                proc_state = op.process.make_state((0,), shape_out, self.dt)
                self._process_steps[op] = op.process.make_step(
                    (0,), shape_out, self.dt, np.random.RandomState(seed), proc_state)

    def read(self, idx):
        if isinstance(idx, str):
            value = np.asarray(self.ir.arrays[idx])
            return np.broadcast_to(value, (self.batch, *value.shape)).copy()
        return np.asarray(self.state)[:, idx]

    def run(self, start, steps, sinks):
        """Run ``steps`` steps in compiled chunks, appending probe samples to ``sinks``."""
        self.completed_steps = 0
        done = 0
        while done < steps:
            n = min(CHUNK, steps - done)
            first = start + done + 1
            times = (first + np.arange(n)) * self.dt
            host = self._host_values(times)
            self._callback_error = None
            state, recorded = self._chunk(n)(self.state, times.astype(self.dtype), host)
            recorded = [np.asarray(r) for r in recorded]
            if self._callback_error is not None:  # the chunk is discarded, state kept
                raise self._callback_error
            self.state = state
            if not np.all(np.isfinite(np.asarray(self.state))):
                raise SimulationError(
                    f"the simulation produced NaN or inf between steps {first} and "
                    f"{first + n - 1}; run it with backend='numpy' to find the first "
                    "non-finite value")
            step_numbers = first + np.arange(n)
            for (spec, _), sink, values in zip(self._probe_index, sinks, recorded):
                keep = step_numbers % spec.period < 1
                sink.extend(values[keep])
            done += n
            self.completed_steps = done

    # ----------------------------------------------------------- the loop
    def _host_values(self, times):
        """Outputs of time-only callbacks for every step of a chunk: (n, batch, size)."""
        out = np.zeros((len(times), self.batch, max(self._host_size, 1)), dtype=self.dtype)
        for op, offset in self.host_inputs:
            size = op.out.size if isinstance(op, PyFunc) else op.out.size
            for k, t in enumerate(times):
                if isinstance(op, PyFunc):
                    value = op.fn(t)
                else:
                    value = self._process_steps[op](t)
                out[k, :, offset:offset + size] = checked_output(op, value, size)
        return out

    def _chunk(self, n):
        """The compiled function running ``n`` steps (one per chunk length)."""
        if n not in self._chunk_fns:
            jax = self.jax
            step_fns = self.step_fns
            probes = self._probe_index

            def one_step(state, inputs):
                t, host = inputs
                for fn in step_fns:
                    state = fn(state, t, host)
                recorded = tuple(
                    state[:, idx] if not isinstance(idx, str)
                    else self.jnp.broadcast_to(self.jnp.asarray(self.ir.arrays[idx]),
                                               (self.batch, *np.shape(self.ir.arrays[idx])))
                    for _, idx in probes)
                return state, recorded

            def chunk(state, times, host):
                return jax.lax.scan(one_step, state, (times, host))

            self._chunk_fns[n] = jax.jit(chunk)
        return self._chunk_fns[n]

    # -------------------------------------------------------- compile ops
    def _compile(self, ops):
        compilers = {Reset: self._reset, Copy: self._copy, ElementwiseInc: self._elementwise,
                     DotInc: self._dot, NeuronStep: self._neurons, Filter: self._filter,
                     PyFunc: self._pyfunc, ProcessStep: self._process,
                     TransformInc: self._transform, LearnedDotInc: self._learned_dot,
                     RuleStep: self._rule}
        return compilers[type(ops[0])](ops)

    def _reset(self, ops):
        idx = _indices(_concat([self.index(op.dst.ref()) for op in ops]))
        value = ops[0].value
        return lambda state, t, host: state.at[:, idx].set(value)

    def _copy(self, ops):
        src = _indices(_concat([self.index(op.src) for op in ops]))
        dst = _indices(_concat([self.index(op.dst) for op in ops]))
        if ops[0].inc:  # .add sums repeated destinations, as the NumPy backend does
            return lambda state, t, host: state.at[:, dst].add(state[:, src])
        return lambda state, t, host: state.at[:, dst].set(state[:, src])

    def _elementwise(self, ops):
        src = _indices(_concat([self.index(op.src) for op in ops]))
        dst = _indices(_concat([self.index(op.dst) for op in ops]))
        scale = np.concatenate([np.broadcast_to(np.asarray(op.scale, dtype=float),
                                                (op.dst.size,)) for op in ops])
        scale = scale.astype(self.dtype)
        return lambda state, t, host: state.at[:, dst].add(scale * state[:, src])

    def _dot(self, ops):
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
            dsts.append(_concat([self.index(op.dst)]))
            srcs.append(_concat([self.index(op.src)]))
            row0 += W.shape[0]
            col0 += W.shape[1]
        src_of_col = np.concatenate(srcs)[np.concatenate(cols)]
        dst_of_row = np.concatenate(dsts)[np.concatenate(rows)]
        values = np.concatenate(vals).astype(self.dtype)
        gather = np.asarray(src_of_col, dtype=np.int32)
        scatter = np.asarray(dst_of_row, dtype=np.int32)
        return lambda state, t, host: state.at[:, scatter].add(values * state[:, gather])

    def _learned_dot(self, ops):
        (op,) = ops
        src, dst = _indices(self.index(op.src)), _indices(self.index(op.dst))
        w = _indices(self.index(op.weights.ref()))
        rows, cols = op.shape
        jnp, batch = self.jnp, self.batch

        def learned(state, t, host):
            W = state[:, w].reshape(batch, rows, cols)
            return state.at[:, dst].add(jnp.einsum("brc,bc->br", W, state[:, src]))
        return learned

    def _transform(self, ops):
        (op,) = ops
        src, dst = _indices(self.index(op.src)), _indices(self.index(op.dst))
        weights = np.asarray(self.ir.arrays[op.weights])
        jnp = self.jnp
        return lambda state, t, host: state.at[:, dst].add(
            op.transform.apply(weights, state[:, src], xp=jnp))

    def _neurons(self, ops):
        if ops[0].rng is not None:
            raise BuildError(f"{ops[0].neuron_type!r} draws random numbers, which the JAX "
                             "backend does not support yet; use backend='numpy'")
        neuron_type, jnp, dt = ops[0].neuron_type, self.jnp, self.dt
        J = _indices(_concat([self.index(op.J.ref()) for op in ops]))
        out = _indices(_concat([self.index(op.out.ref()) for op in ops]))
        names = list(ops[0].state)
        idx = {k: _indices(_concat([self.index(op.state[k].ref()) for op in ops]))
               for k in names}

        def neurons(state, t, host):
            output, new = neuron_type.step(dt, state[:, J],
                                           {k: state[:, i] for k, i in idx.items()}, xp=jnp)
            state = state.at[:, out].set(output)
            for k, i in idx.items():
                state = state.at[:, i].set(new[k])
            return state
        return neurons

    def _filter(self, ops):
        inp = _indices(_concat([self.index(op.inp) for op in ops]))
        out = _indices(_concat([self.index(op.out.ref()) for op in ops]))
        dtype = self.dtype
        if ops[0].is_onex():
            a = np.concatenate([np.full(op.out.size, op.A[0, 0]) for op in ops]).astype(dtype)
            b = np.concatenate([np.full(op.out.size, op.C[0, 0] * op.B[0, 0])
                                for op in ops]).astype(dtype)
            return lambda state, t, host: state.at[:, out].set(
                a * state[:, out] + b * state[:, inp])
        (op,) = ops
        k, size, batch = op.A.shape[0], op.out.size, self.batch
        xs = _indices(self.index(op.state.ref()))
        A, B, C, D = (m.astype(dtype) for m in (op.A, op.B, op.C, op.D))
        kind, jnp = filter_kind(op.A, op.B, op.C, op.D), self.jnp

        def linear_filter(state, t, host):
            X = state[:, xs].reshape(batch, k, size)
            y, X = filter_step(A, B, C, D, X, state[:, inp], xp=jnp, kind=kind)
            state = state.at[:, out].set(y)
            return state.at[:, xs].set(X.reshape(batch, k * size))
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
        out = _indices(self.index(op.out.ref()))
        if op.x is None and op.pass_time:  # a function of time: evaluated per chunk
            cols = self._host_input(op, op.out.size)
            return lambda state, t, host: state.at[:, out].set(host[:, cols])
        fn = op.fn
        return self._callback(op, lambda args: fn(*args), op.out.size, out)

    def _callback(self, op, call, size, out=None):
        """A Python callable reading a signal, called from the loop on the host."""
        jax, jnp, dtype, batch = self.jax, self.jnp, self.dtype, self.batch
        x = None if op.x is None else _indices(self.index(op.x))

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
            xs = None if x is None else state[:, x]
            if xs is None:
                value = jax.pure_callback(lambda t: host_call(t, None), shape, t)
            else:
                value = jax.pure_callback(host_call, shape, t, xs)
            return state if out is None else state.at[:, out].set(value)
        return step

    def _process(self, ops):
        (op,) = ops
        if op.inp is not None:
            raise BuildError(f"{op.owner}: a Process with an input cannot run in the JAX "
                             "backend yet; use backend='numpy'")
        out = _indices(self.index(op.out))
        cols = self._host_input(op, op.out.size)
        if op.mode == "inc":
            return lambda state, t, host: state.at[:, out].add(host[:, cols])
        return lambda state, t, host: state.at[:, out].set(host[:, cols])

    def _rule(self, ops):
        (op,) = ops
        jax, jnp = self.jax, self.jnp
        inputs = {k: (_indices(self.index(ref)), shape) for k, (ref, shape) in op.inputs.items()}
        carried = {k: (_indices(self.index(sig.ref())), shape)
                   for k, (sig, shape) in op.state.items()}
        delta = _indices(self.index(op.delta.ref()))
        fn = op.fn

        def one(row):
            args = {k: row[i].reshape(shape) for k, (i, shape) in [*inputs.items(),
                                                                    *carried.items()]}
            value, new_state = fn(jnp, **args)
            row = row.at[delta].set(jnp.reshape(value, -1))
            for k, (i, _) in carried.items():
                row = row.at[i].set(jnp.reshape(new_state[k], -1))
            return row

        batched = jax.vmap(one)
        return lambda state, t, host: batched(state)
