"""The NumPy float64 reference backend: the executable definition of the IR.

All signals live in one buffer ``state`` of shape ``(batch, n_total)``.  Every op group
compiles to one Python closure that reads and writes slices (or index arrays) of that
buffer; a step runs the closures in schedule order and then records the probes.
"""

import numpy as np
import scipy.sparse

from ..build.ir import as_ref, sampled
from ..build.ir import (Copy, DotInc, ElementwiseInc, Filter, LearnedDotInc, NeuronStep,
                        ProcessStep, ProjectedInc, PyFunc, Reset, RuleStep, TransformInc)
from ..build.schedule import compact, global_indices, layout
from ..exceptions import SimulationError, ValidationError
from ._indexing import (all_dense, concat_indices, contiguous_runs, has_duplicates,
                        stacked_products)
from ._processes import ProcessInstances
from .numpy_kernels import inplace_kernel
from ..synapses import filter_kind, filter_step


class Backend:
    """Runs an :class:`~nefsim.build.ir.IR` with NumPy in float64.

    Parameters
    ----------
    ir : IR
    batch : int
        Number of independent copies of the model simulated side by side.
    """

    dtype = np.float64
    completed_steps = 0

    def __init__(self, ir, batch=1, dtype="float64"):
        if np.dtype(dtype) != np.float64:
            raise ValidationError(f"the NumPy backend is the float64 reference (got "
                                  f"{dtype}); use backend='jax' for float32", "dtype",
                                  "Simulator")
        self.ir = ir
        self.dt = ir.dt
        self.batch = batch
        self.offsets, self.size = layout(ir.signals, ir.groups)
        self.state = np.zeros((batch, self.size), dtype=self.dtype)
        self.processes = ProcessInstances(self.dt)  # made by reset
        self.step_fns = [self._compile(group.ops) for group in ir.groups]
        self._process_ops = [op for g in ir.groups for op in g.ops
                             if isinstance(op, ProcessStep)]
        self._probe_index = [
            (spec, spec.ref if isinstance(spec.ref, str) else self.index(spec.ref))
            for spec in ir.probes]

    # -------------------------------------------------------------- public
    def index(self, ref):
        """Buffer indices (slice or int array) of a :class:`Ref`."""
        return global_indices(ref, self.offsets)

    def reset(self, rng, keep_learned=False):
        """Restore every signal's initial value and remake process callbacks.

        ``rng`` draws the seeds of processes without their own seed: one RandomState,
        or a list with one per trial (each trial then gets its own noise).  With
        ``keep_learned``, learned signals (weights, encoders) keep their values.
        """
        for sig in self.ir.signals:
            if keep_learned and sig.kind == "learned":
                continue
            start = self.offsets[sig]
            self.state[:, start:start + sig.size] = sig.initial
        self.processes.reset(self._process_ops, rng)

    @property
    def process_rngs(self):
        return self.processes.rngs

    def restore_process(self, op, trials):
        """Put a process's instances back where a checkpoint left them."""
        self.processes.restore(op, trials)

    def write(self, idx, value):
        """Set ``state[:, idx] = value`` (broadcast over the batch) between runs."""
        self.state[:, idx] = value

    def run(self, start, steps, sinks, feeds=None):
        """Run ``steps`` steps after step ``start``, appending each probe's samples to its
        list in ``sinks`` (in ``probe_index`` order).  ``feeds`` maps a PyFunc or
        ProcessStep op to ``(batch, steps, size)`` values written instead of calling it.
        ``completed_steps`` counts the steps that finished, also when one raises."""
        self.completed_steps = 0
        dt, probes = self.dt, [(spec.period, idx, sink) for (spec, idx), sink
                               in zip(self._probe_index, sinks)]
        cursor, step_fns = [0], self.step_fns
        if feeds:  # fed ops write the given values instead of calling back
            step_fns = [self._fed(group.ops[0], feeds[group.ops[0]], cursor)
                        if group.ops[0] in feeds else fn
                        for group, fn in zip(self.ir.groups, self.step_fns)]
        with np.errstate(invalid="raise", divide="ignore", over="ignore"):
            for k, n in enumerate(range(start + 1, start + steps + 1)):
                cursor[0] = k
                t = n * dt
                for fn in step_fns:
                    fn(t)
                self.completed_steps += 1
                for period, idx, sink in probes:
                    if sampled(n, period):
                        sink.append(np.array(self.read(idx)))

    def _fed(self, op, data, cursor):
        """A step fn writing the fed values of ``op``'s output for the current step."""
        state, out = self.state, self.index(as_ref(op.out))

        def fed(t):
            state[:, out] = data[:, cursor[0]]
        return fed

    def read(self, ref):
        """The current value(s) of a probe target: ``(batch, size)``."""
        if isinstance(ref, str):
            return np.broadcast_to(self.ir.arrays[ref], (self.batch, *np.shape(
                self.ir.arrays[ref]))).copy()
        return self.state[:, ref]

    @property
    def probe_index(self):
        return self._probe_index

    # ------------------------------------------------------------ compile
    def _compile(self, ops):
        op0 = ops[0]
        compilers = {Reset: self._compile_reset, Copy: self._compile_copy,
                     ElementwiseInc: self._compile_elementwise, DotInc: self._compile_dot,
                     NeuronStep: self._compile_neurons, Filter: self._compile_filter,
                     PyFunc: self._compile_pyfunc, ProcessStep: self._compile_process,
                     TransformInc: self._compile_transform,
                     LearnedDotInc: self._compile_learned_dot, RuleStep: self._compile_rule,
                     ProjectedInc: self._compile_projected}
        return compilers[type(op0)](ops)

    def _compile_reset(self, ops):
        idx = compact(concat_indices([self.index(op.dst.ref()) for op in ops]))
        value = ops[0].value
        state = self.state

        def reset(t):
            state[:, idx] = value
        return reset

    def _scatter(self, dst, compute):
        """A step fn doing ``state[:, dst] += compute()`` (duplicates in dst add up)."""
        state = self.state
        if has_duplicates(dst):
            def step(t):
                np.add.at(state, (slice(None), dst), compute())
        else:
            dst = compact(dst)

            def step(t):
                state[:, dst] += compute()
        return step

    def _compile_copy(self, ops):
        pairs = [(self.index(op.src), self.index(op.dst)) for op in ops]
        state = self.state
        runs = contiguous_runs(pairs)
        if (ops[0].inc and runs is not None and self.batch == 1
                and all(isinstance(i, slice) for run in runs for i in run)):
            views = [(state[0, src], state[0, dst]) for src, dst in runs]  # made once

            def copy_inc_views(t):
                for src, dst in views:
                    np.add(dst, src, out=dst)
            return copy_inc_views
        if ops[0].inc:
            if runs is not None:
                def copy_inc_runs(t):
                    for src, dst in runs:
                        state[:, dst] += state[:, src]
                return copy_inc_runs
            src = compact(concat_indices([p[0] for p in pairs]))
            return self._scatter(concat_indices([p[1] for p in pairs]), lambda: state[:, src])
        if runs is not None:
            def copy_runs(t):
                for src, dst in runs:
                    state[:, dst] = state[:, src]
            return copy_runs
        src = compact(concat_indices([p[0] for p in pairs]))
        dst = compact(concat_indices([p[1] for p in pairs]))

        def copy(t):
            state[:, dst] = state[:, src]
        return copy

    def _compile_elementwise(self, ops):
        src = compact(concat_indices([self.index(op.src) for op in ops]))
        dst = concat_indices([self.index(op.dst) for op in ops])
        scale = np.concatenate([np.broadcast_to(np.asarray(op.scale, dtype=float),
                                                (op.dst.size,)) for op in ops])
        state = self.state
        return self._scatter(dst, lambda: scale * state[:, src])

    def _compile_dot(self, ops):
        state = self.state
        arrays = self.ir.arrays
        if len(ops) == 1:
            op = ops[0]
            src, dst = self.index(op.src), self.index(op.dst)
            name = op.weights
            if scipy.sparse.issparse(arrays[name]):
                return self._scatter(concat_indices([dst]),
                                     lambda: (arrays[name] @ state[:, src].T).T)
            return self._scatter(concat_indices([dst]), lambda: state[:, src] @ arrays[name].T)
        small = sum(np.size(arrays[op.weights]) for op in ops) < 20000
        if len(ops) <= 4 and small and all_dense(ops, arrays):
            # a few small products: a loop of dense matmuls beats building a sparse one
            steps = [self._compile_dot([op]) for op in ops]

            def dot_loop(t):
                for step in steps:
                    step(t)
            return dot_loop
        stacked = self._stacked_dot(ops)
        if stacked is not None:
            return stacked
        src = compact(concat_indices([self.index(op.src) for op in ops]))
        dst_all = concat_indices([self.index(op.dst) for op in ops])
        # Several independent products: one block-sparse matrix over the gathered inputs.
        dst_unique, rows = np.unique(dst_all, return_inverse=True)
        row_start = col_start = 0
        r, c, v = [], [], []
        for op in ops:
            W = self.ir.arrays[op.weights]
            W = W.toarray() if scipy.sparse.issparse(W) else np.asarray(W)
            nr, nc = W.shape
            ii, jj = np.nonzero(W)
            r.append(rows[row_start + ii])
            c.append(col_start + jj)
            v.append(W[ii, jj])
            row_start += nr
            col_start += nc
        matrix = scipy.sparse.csr_matrix(
            (np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
            shape=(dst_unique.size, col_start))
        dst = compact(dst_unique)

        def dot(t):
            state[:, dst] += (matrix @ state[:, src].T).T
        return dot

    def _stacked_dot(self, ops):
        """An equal-shaped product group (see :func:`stacked_products`) as one batched
        product: a broadcast multiply-add over the short axis of the blocks."""
        found = stacked_products(ops, self.ir.arrays, self.index)
        if found is None:
            return None
        W, src, dst = found
        (m, rows, cols), state, batch = W.shape, self.state, self.batch

        if cols <= rows:  # few inputs per block (encoders): sum over the input axis
            def stacked_dot(t):
                x = state[:, src].reshape(batch, m, cols)
                y = x[:, :, 0, None] * W[None, :, :, 0]
                for j in range(1, cols):
                    y += x[:, :, j, None] * W[None, :, :, j]
                state[:, dst] += y.reshape(batch, m * rows)
        else:  # few outputs per block (decoders): one reduction per output row
            def stacked_dot(t):
                x = state[:, src].reshape(batch, m, cols)
                y = np.einsum("bmc,mrc->bmr", x, W)
                state[:, dst] += y.reshape(batch, m * rows)
        return stacked_dot

    def _compile_learned_dot(self, ops):
        (op,) = ops
        src, dst = self.index(op.src), self.index(op.dst)
        w = self.index(op.weights.ref())
        state, batch, (rows, cols) = self.state, self.batch, op.shape

        if batch == 1:
            def learned_product():
                return (state[0, w].reshape(rows, cols) @ state[0, src])[None]
        else:
            def learned_product():
                W = state[:, w].reshape(batch, rows, cols)
                return np.einsum("brc,bc->br", W, state[:, src])
        return self._scatter(concat_indices([dst]), learned_product)

    def _compile_rule(self, ops):
        (op,) = ops
        state, batch = self.state, self.batch
        inputs = {k: (self.index(ref), shape) for k, (ref, shape) in op.inputs.items()}
        carried = {k: (self.index(sig.ref()), shape) for k, (sig, shape) in op.state.items()}
        delta = self.index(op.delta.ref())
        fn = op.fn

        if batch == 1 and all(isinstance(i, slice) for i, _ in [*inputs.values(),
                                                                 *carried.values()]):
            # one model: the arguments are fixed views into the buffer, made once
            views = {k: state[0, i].reshape(shape)
                     for k, (i, shape) in [*inputs.items(), *carried.items()]}

            def rule_views(t):
                value, new_state = fn(np, **views)
                state[0, delta] = np.reshape(value, -1)
                for k, (i, _) in carried.items():
                    state[0, i] = np.reshape(new_state[k], -1)
            return rule_views

        def rule(t):
            for b in range(batch):
                args = {k: state[b, i].reshape(shape) for k, (i, shape) in inputs.items()}
                args.update({k: state[b, i].reshape(shape) for k, (i, shape) in carried.items()})
                value, new_state = fn(np, **args)
                state[b, delta] = np.reshape(value, -1)
                for k, (i, _) in carried.items():
                    state[b, i] = np.reshape(new_state[k], -1)
        return rule

    def _compile_projected(self, ops):
        """``W[:, cols] += keep * (P @ D)`` per trial (see :class:`ProjectedInc`): only
        the learned columns' entries are touched, through :meth:`_scatter`."""
        (op,) = ops
        src, state, batch = self.index(op.src), self.state, self.batch
        rows, cols = op.shape
        targets = concat_indices([self.index(op.dst)]).reshape(rows, cols)
        keep = op.keep
        if op.cols is not None:
            targets = targets[:, op.cols]
            keep = None if keep is None else keep[:, op.cols]
        P = op.P

        def update():
            delta = state[:, src].reshape(batch, *op.delta_shape)
            if P is not None:
                delta = np.einsum("ij,bjk->bik", P, delta)
            if keep is not None:
                delta = delta * keep
            return delta.reshape(batch, -1)
        return self._scatter(targets.reshape(-1), update)

    def _compile_transform(self, ops):
        (op,) = ops
        src, dst = self.index(op.src), self.index(op.dst)
        arrays, state = self.ir.arrays, self.state
        return self._scatter(concat_indices([dst]),
                             lambda: op.transform.apply(arrays[op.weights], state[:, src]))

    def _compile_neurons(self, ops):
        neuron_type = ops[0].neuron_type
        J = compact(concat_indices([self.index(op.J.ref()) for op in ops]))
        out = compact(concat_indices([self.index(op.out.ref()) for op in ops]))
        state_idx = {k: compact(concat_indices([self.index(op.state[k].ref()) for op in ops]))
                     for k in ops[0].state}
        state = self.state
        fast = inplace_kernel(neuron_type)
        views = [J, out, *state_idx.values()]
        if any(op.out_scale is not None for op in ops):  # silenced neurons
            scale = np.concatenate([np.ones(op.out.size) if op.out_scale is None
                                    else op.out_scale for op in ops])
            unscaled = self._compile_neurons_unscaled(ops, neuron_type, J, out, state_idx,
                                                      fast, views)

            def neurons_scaled(t):
                unscaled(t)
                state[:, out] *= scale
            return neurons_scaled
        return self._compile_neurons_unscaled(ops, neuron_type, J, out, state_idx, fast,
                                              views)

    def _compile_neurons_unscaled(self, ops, neuron_type, J, out, state_idx, fast, views):
        state, dt, rng, names = self.state, self.dt, ops[0].rng, list(state_idx)
        if fast is not None and all(isinstance(i, slice) for i in views):
            # one model: 1-D views, which NumPy indexes faster than (1, n) ones
            rows = 0 if self.batch == 1 else slice(None)
            J_view, out_view = state[rows, J], state[rows, out]
            named_views = {k: state[rows, state_idx[k]] for k in names}

            def neurons_inplace(t):
                fast(neuron_type, dt, J_view, out_view, **named_views)
            return neurons_inplace

        def neurons(t):
            output, new = neuron_type.step(
                dt, state[:, J], {k: state[:, i] for k, i in state_idx.items()}, xp=np,
                rng=rng)
            state[:, out] = output
            for k, i in state_idx.items():
                state[:, i] = new[k]
        return neurons

    def _compile_filter(self, ops):
        state = self.state
        inp = compact(concat_indices([self.index(op.inp) for op in ops]))
        out = compact(concat_indices([self.index(op.out.ref()) for op in ops]))
        if ops[0].is_onex():
            # y <- a*y + b*u per channel: every first-order filter in one vector update
            a = np.concatenate([np.full(op.out.size, op.A[0, 0]) for op in ops])
            b = np.concatenate([np.full(op.out.size, op.C[0, 0] * op.B[0, 0]) for op in ops])

            if isinstance(out, slice) and isinstance(inp, slice):
                rows = 0 if self.batch == 1 else slice(None)
                y, u = state[rows, out], state[rows, inp]  # views, updated in place
                scratch = np.empty_like(u)

                def lowpass_inplace(t):
                    np.multiply(u, b, out=scratch)
                    np.multiply(y, a, out=y)
                    np.add(y, scratch, out=y)
                return lowpass_inplace

            def lowpass(t):
                state[:, out] = a * state[:, out] + b * state[:, inp]
            return lowpass
        (op,) = ops
        k, size = op.A.shape[0], op.out.size
        xs = self.index(op.state.ref())
        A, B, C, D = op.A, op.B, op.C, op.D
        kind = filter_kind(A, B, C, D)

        def linear_filter(t):
            X = state[:, xs].reshape(self.batch, k, size)
            y, X = filter_step(A, B, C, D, X, state[:, inp], xp=np, kind=kind)
            state[:, out] = y
            state[:, xs] = X.reshape(self.batch, k * size)
        return linear_filter

    def _compile_pyfunc(self, ops):
        (op,) = ops
        state, batch = self.state, self.batch
        x = self.index(op.x) if op.x is not None else None
        out = self.index(op.out.ref()) if op.out is not None else None
        size = op.out.size if op.out is not None else 0
        fn = op.fn

        def pyfunc(t):
            for b in range(batch):
                args = (t,) if op.pass_time else ()
                if x is not None:
                    args = args + (state[b, x].copy(),)
                value = fn(*args)
                if out is not None:
                    state[b, out] = checked_output(op, value, size)
        return pyfunc

    def _compile_process(self, ops):
        (op,) = ops
        state, batch = self.state, self.batch
        inp = self.index(op.inp) if op.inp is not None else None
        out = self.index(op.out)
        size = op.out.size
        inc = op.mode == "inc"

        steps = self.processes.steps

        def process(t):
            trial_steps = steps[op]
            for b in range(batch):
                args = (t,) if inp is None else (t, state[b, inp].copy())
                value = checked_output(op, trial_steps[b % len(trial_steps)](*args), size)
                if inc:
                    state[b, out] += value
                else:
                    state[b, out] = value
        return process


def checked_output(op, value, size):
    """A callback's return value as a float64 vector of ``size`` finite numbers, or a
    SimulationError naming the callback's owner (both backends use this)."""
    if value is None:
        raise SimulationError(f"{op.owner}: returned None but {size} values were expected")
    try:
        value = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as err:
        raise SimulationError(f"{op.owner}: returned a value that is not numeric "
                              f"({err})") from None
    if value.size != size:
        raise SimulationError(f"{op.owner}: returned {value.size} values but {size} were "
                              "expected")
    if not np.all(np.isfinite(value)):
        raise SimulationError(f"{op.owner}: returned NaN or inf ({value})")
    return value
