"""The Simulator facade: build a network, run it on a backend, expose results.

``Simulator(net)`` builds the network into the IR, hands the IR to a backend and records
probes.  ``sim.data[obj]`` gives built parameters (ensembles, connections) and recorded
probe data with Nengo's meanings; ``sim.trange()`` the matching times.
"""

import sys
import warnings
from collections.abc import Mapping

import numpy as np

from ._validation import check_bool, check_int, check_number
from .backends import get_backend
from .build import build
from .build.seeds import MAXINT
from .exceptions import SimulatorClosed, ValidationError
from .build.ir import ProcessStep, PyFunc, as_ref, sampled
from .network import Network
from .node import Node
from .probe import Probe
from .checkpoint import (as_loaded_params, edits_of, read_checkpoint, warn_unused,
                         write_checkpoint, write_params)
from .weights import Decoders, Weights


class SimulationData(Mapping):
    """Read-only mapping ``obj -> built parameters or probe data``.

    Probe data come back as arrays of shape ``(n_samples, *probe_shape)``, or
    ``(batch, n_samples, *probe_shape)`` when the simulator runs a batch of trials.
    """

    def __init__(self, sim):
        self._sim = sim
        self._cache = {}

    def __getitem__(self, key):
        sim = self._sim
        if isinstance(key, Probe):
            if key not in sim._probe_data:
                raise KeyError(f"{key!r} is not a probe of the simulated network")
            samples = sim._probe_data[key]
            cached = self._cache.get(key)
            if cached is None or cached.shape[0] != len(samples):
                spec_shape = sim._probe_shapes[key]
                arr = (np.array(samples) if samples
                       else np.zeros((0, sim.batch, *spec_shape)))
                arr = arr.reshape(arr.shape[0], sim.batch, *spec_shape)
                arr = arr[:, 0] if sim.batch == 1 else np.moveaxis(arr, 1, 0)
                arr.setflags(write=False)
                self._cache[key] = cached = arr
            return cached
        if key in sim.model.params:
            return sim.model.params[key]
        raise KeyError(f"{key!r} is not part of the simulated network")

    def __iter__(self):
        yield from self._sim.model.params

    def __len__(self):
        return len(self._sim.model.params)

    def reset(self):
        self._cache.clear()


class Simulator:
    """Build and run a network.

    Parameters
    ----------
    network : Network
        The model to simulate.
    dt : float, optional
        Time step in seconds (default 0.001).
    seed : int or list of int, optional
        Seed of the run-time randomness (noise processes).  Defaults to the network's
        seed + 1, or a random seed if the network has none.  With ``batch > 1``, trial
        ``b`` runs as a single simulation seeded ``seed + b`` would (or give one seed
        per trial as a list).
    progress_bar : bool, optional
        Show a progress bar for long runs when writing to a terminal.
    backend : str, optional
        ``"numpy"`` (float64 reference) or ``"jax"`` (compiled; ``pip install nefsim[jax]``).
    dtype : str, optional
        Floating-point type of the simulation state: the NumPy backend runs float64;
        the JAX backend defaults to float32 and also runs float64.
    decoder_cache : bool or DecoderCache, optional
        Cache decoder solves on disk (default: on unless ``NEFSIM_DECODER_CACHE=0``).
    batch : int, optional
        Number of trials run side by side (also ``batch_size``); probe data then have a
        leading trial axis, and ``run(..., inputs=)`` feeds each trial its own input.
    optimize : bool, optional
        Accepted for Nengo compatibility; merging always happens during the build.
    params : str, path, dict or Params, optional
        Saved parameters (``sim.save_params``) to build with instead of sampling and
        solving: objects are matched by stable name (label path).  Entries of objects
        this network lacks are skipped with a warning.
    partial : bool, optional
        With ``params``, build objects that have no saved entry as usual instead of
        raising a BuildError.
    checkpoint : str or path, optional
        Resume from ``sim.save(path)`` of the same model: parameters, time, every state
        value, random streams (and probe data, if saved).
    """

    def __init__(self, network, dt=0.001, seed=None, model=None, progress_bar=True,
                 optimize=True, backend="numpy", decoder_cache=None, batch=1, dtype=None,
                 params=None, partial=False, checkpoint=None, batch_size=None):
        self.closed = False
        if batch_size is not None:  # NengoDL's name for it
            if batch != 1 and batch != batch_size:
                raise ValidationError(f"batch={batch} and batch_size={batch_size} differ; "
                                      "give one of them", "batch_size", self)
            batch = batch_size
        if not isinstance(network, Network):
            raise ValidationError(f"must be a nefsim Network (got {type(network).__name__})",
                                  "network", self)
        self.dt = check_number(dt, "dt", self, low=0, low_open=True)
        self.batch = check_int(batch, "batch", self, low=1)
        trial_seeds = None
        if seed is not None and np.ndim(seed) == 1:  # one seed per trial
            trial_seeds = self._check_trial_seeds(seed)
            seed = trial_seeds[0]
        elif seed is not None:
            check_int(seed, "seed", self, low=0, high=2**32 - 1)
        self.progress_bar = progress_bar
        self._backend_cls = get_backend(backend)
        self._backend_options = {} if dtype is None else {"dtype": dtype}
        self.network = network
        saved = None
        if checkpoint is not None:
            if params is not None:
                raise ValidationError("give params or checkpoint, not both (a checkpoint "
                                      "holds the parameters)", "params", self)
            saved = read_checkpoint(checkpoint, self)
            params = saved.params
        loaded = None if params is None else as_loaded_params(params, partial, self)
        if model is None:
            model = build(network, dt=self.dt, decoder_cache=_make_cache(decoder_cache),
                          progress_bar=progress_bar, params=loaded)
        if loaded is not None:
            warn_unused(loaded)
        self._edits = {} if loaded is None else edits_of(loaded.values)
        self._probe_data = {spec.key: [] for spec in model.probes}
        self._install(model)
        self.data = SimulationData(self)
        self.weights = Weights(self)
        self.decoders = Decoders(self)
        if seed is None:
            seed = (model.seeds[network] + 1 if network.seed is not None
                    else np.random.randint(MAXINT))
        self.seed = seed
        self.trial_seeds = trial_seeds
        self.reset(seed=seed if trial_seeds is None else trial_seeds)
        if saved is not None:
            saved.restore(self)

    def _install(self, model):
        """Run ``model`` from now on (a new backend; probe records are kept)."""
        self.model = model
        self.ir = model.to_ir()
        self.backend = self._backend_cls(self.ir, batch=self.batch, **self._backend_options)
        self._probe_shapes = {
            spec.key: spec.shape if spec.shape is not None
            else np.shape(self.backend.read(idx))[1:]
            for spec, idx in self.backend.probe_index}
        if getattr(self, "rng", None) is not None:  # a rebuild: new process callbacks
            self.backend.reset(np.random.RandomState(self.seed))

    # ------------------------------------------------------------ state
    @property
    def n_steps(self):
        return self._n_steps

    @property
    def time(self):
        return self._n_steps * self.dt

    def _check_open(self):
        if self.closed:
            raise SimulatorClosed("this Simulator has been closed; create a new one "
                                  "(or use `with Simulator(net) as sim:` for its lifetime)")

    def reset(self, seed=None, keep_learned=False):
        """Return to time 0: every signal back to its initial value, probes cleared.

        With ``keep_learned=True`` (a "soft" reset) the weights and encoders that learning
        rules changed keep their learned values; everything else (time, neuron and
        synapse state, noise streams) starts over.  Nengo's reset always reverts them.
        """
        self._check_open()
        if seed is not None and np.ndim(seed) == 1:
            trial_seeds = self._check_trial_seeds(seed)
        elif seed is not None:
            seed = check_int(seed, "seed", self, low=0, high=2**32 - 1)
            trial_seeds = [(seed + b) % 2**32 for b in range(self.batch)]
        keep_learned = check_bool(keep_learned, "keep_learned", self)
        if seed is not None:
            self.seed, self.trial_seeds = trial_seeds[0], trial_seeds
        self._n_steps = 0
        self.rng = np.random.RandomState(self.seed)
        self.backend.reset(self._trial_rngs(), keep_learned=keep_learned)
        self.clear_probes()

    def _trial_rngs(self):
        """The generators drawing each trial's process seeds (trial 0: ``self.rng``)."""
        if self.batch == 1:
            return self.rng
        return [self.rng] + [np.random.RandomState(s) for s in self.trial_seeds[1:]]

    def _check_trial_seeds(self, seeds):
        seeds = [check_int(s, "seed", self, low=0, high=2**32 - 1) for s in seeds]
        if len(seeds) != self.batch:
            raise ValidationError(f"got {len(seeds)} per-trial seeds for batch={self.batch}",
                                  "seed", self)
        return seeds

    # ------------------------------------------------------- saving state
    def save_params(self, path, trial=0):
        """Write every built and learned parameter to ``path`` (an ``.npz`` archive),
        keyed by stable names; load them with ``Simulator(net, params=path)`` or
        :func:`nefsim.load_params`.  Learned values are taken as they are now (batch
        element ``trial``).  The file is replaced atomically."""
        self._check_open()
        trial = check_int(trial, "trial", self, low=0, high=self.batch - 1)
        write_params(self, path, trial)

    def save(self, path, probes=True):
        """Write a checkpoint of everything to ``path``: parameters, time, every signal,
        random streams and (with ``probes``) the recorded probe data.
        ``Simulator(net, checkpoint=path)`` resumes exactly where this one is."""
        self._check_open()
        write_checkpoint(self, path, check_bool(probes, "probes", self))

    def clear_probes(self):
        """Forget recorded probe data (the simulation state is kept)."""
        for samples in self._probe_data.values():
            samples.clear()
        self.data.reset()

    def close(self):
        """Release the simulator; further runs raise SimulatorClosed."""
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------- running
    def step(self):
        """Advance one time step."""
        self._check_open()
        self._run(1)

    def run(self, time_in_seconds, progress_bar=None, inputs=None):
        """Simulate for ``time_in_seconds`` (rounded to a whole number of steps).

        ``inputs`` feeds nodes per trial: ``{node: values}`` with values of shape
        ``(batch, steps, size_out)`` (a time series per trial) or ``(batch, size_out)``
        (constant per trial), used instead of the node's function or process for this
        run.  The node must have no input and a function or process output.
        """
        self._check_open()
        t = check_number(time_in_seconds, "time_in_seconds", self, low=0)
        steps = int(np.round(t / self.dt))
        if steps == 0 and t > 0:
            warnings.warn(f"{t} s is shorter than dt={self.dt} s; no steps were run")
        self.run_steps(steps, progress_bar=progress_bar, inputs=inputs)

    def run_steps(self, steps, progress_bar=None, inputs=None):
        """Simulate ``steps`` time steps (``inputs`` as in :meth:`run`)."""
        self._check_open()
        steps = check_int(steps, "steps", self, low=0)
        feeds = self._feeds(inputs, steps)
        show = self.progress_bar if progress_bar is None else progress_bar
        if show and steps >= 1000 and sys.stderr.isatty():
            from tqdm import tqdm

            with tqdm(total=steps, unit="step", desc="Simulating") as bar:
                # whole compiled chunks of a backend that has them (no extra compiles)
                unit = getattr(self.backend, "chunk_steps", 1)
                chunk = -(-max(steps // 100, 1) // unit) * unit
                done = 0
                while done < steps:
                    n = min(chunk, steps - done)
                    self._run(n, {op: v[:, done:done + n] for op, v in feeds.items()})
                    done += n
                    bar.update(n)
        else:
            self._run(steps, feeds)

    def _feeds(self, inputs, steps):
        """``{op: (batch, steps, size)}`` for the nodes fed by ``inputs``, validated."""
        if inputs is None:
            return {}
        if not isinstance(inputs, Mapping):
            raise ValidationError(f"must be a dict {{node: values}} (got "
                                  f"{type(inputs).__name__})", "inputs", self)
        producers = {}
        for group in self.ir.groups:
            for op in group.ops:
                if isinstance(op, (PyFunc, ProcessStep)) and op.out is not None:
                    producers[as_ref(op.out).signal] = op
        feeds = {}
        for node, values in inputs.items():
            name = self.model.names.get(node)
            if not isinstance(node, Node) or name is None:
                raise ValidationError(f"keys must be Nodes of the simulated network (got "
                                      f"{node!r})", "inputs", self)
            op = producers.get(self.model.sig[node]["out"])
            if node.size_in > 0 or op is None or getattr(op, "inp", None) is not None:
                raise ValidationError(
                    "can only feed a Node without input whose output is a function or a "
                    "process (e.g. Node(lambda t: 0, size_out=d))", "inputs",
                    f"Node {name!r}")
            size = node.size_out
            try:
                values = np.array(values, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValidationError("must be numeric", "inputs", f"Node {name!r}") from None
            if values.shape == (self.batch, size):
                values = np.broadcast_to(values[:, None], (self.batch, steps, size))
            if values.shape != (self.batch, steps, size):
                raise ValidationError(
                    f"must have shape (batch, steps, size_out) = {(self.batch, steps, size)} "
                    f"or (batch, size_out) = {(self.batch, size)} (got {values.shape})",
                    "inputs", f"Node {name!r}")
            if not np.all(np.isfinite(values)):
                raise ValidationError("must be finite", "inputs", f"Node {name!r}")
            feeds[op] = values
        return feeds

    def _run(self, steps, feeds=None):
        sinks = [self._probe_data[spec.key] for spec, _ in self.backend.probe_index]
        start = self._n_steps
        try:
            if feeds:
                self.backend.run(start, steps, sinks, feeds=feeds)
            else:
                self.backend.run(start, steps, sinks)
        finally:  # only completed steps count: a step that raised does not
            self._n_steps = start + self.backend.completed_steps

    def trange(self, sample_every=None, dt=None):
        """Times of the recorded samples (the first step ends at t = dt)."""
        sample_every = dt if sample_every is None else sample_every
        period = 1 if sample_every is None else sample_every / self.dt
        steps = np.arange(1, self._n_steps + 1)
        return self.dt * steps[sampled(steps, period)]


def _make_cache(decoder_cache):
    if decoder_cache is False:
        return None
    if decoder_cache is None or decoder_cache is True:
        from .build.decoder_cache import DecoderCache

        cache = DecoderCache()
        return cache if cache.enabled else None
    return decoder_cache
