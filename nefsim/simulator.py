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
from .network import Network
from .probe import Probe


class SimulationData(Mapping):
    """Read-only mapping ``obj -> built parameters or probe data``.

    Probe data come back as arrays of shape ``(n_samples, *probe_shape)`` (or with a
    batch axis after the sample axis when the simulator runs a batch).
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
                arr = arr.reshape(arr.shape[0], *(() if sim.batch == 1 else (sim.batch,)),
                                  *spec_shape)
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
    seed : int, optional
        Seed of the run-time randomness (noise processes).  Defaults to the network's
        seed + 1, or a random seed if the network has none.
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
        Number of independent copies of the model run side by side.
    optimize : bool, optional
        Accepted for Nengo compatibility; merging always happens during the build.
    """

    def __init__(self, network, dt=0.001, seed=None, model=None, progress_bar=True,
                 optimize=True, backend="numpy", decoder_cache=None, batch=1, dtype=None):
        self.closed = False
        if not isinstance(network, Network):
            raise ValidationError(f"must be a nefsim Network (got {type(network).__name__})",
                                  "network", self)
        self.dt = check_number(dt, "dt", self, low=0, low_open=True)
        if seed is not None:
            check_int(seed, "seed", self, low=0, high=2**32 - 1)
        self.batch = check_int(batch, "batch", self, low=1)
        self.progress_bar = progress_bar
        backend_cls = get_backend(backend)
        self.network = network
        if model is None:
            model = build(network, dt=self.dt, decoder_cache=_make_cache(decoder_cache),
                          progress_bar=progress_bar)
        self.model = model
        self.ir = model.to_ir()
        options = {} if dtype is None else {"dtype": dtype}
        self.backend = backend_cls(self.ir, batch=self.batch, **options)
        self._probe_data = {spec.key: [] for spec in self.ir.probes}
        self._probe_shapes = {
            spec.key: spec.shape if spec.shape is not None
            else np.shape(self.backend.read(idx))[1:]
            for spec, idx in self.backend.probe_index}
        self.data = SimulationData(self)
        if seed is None:
            seed = (model.seeds[network] + 1 if network.seed is not None
                    else np.random.randint(MAXINT))
        self.seed = seed
        self.reset(seed=seed)

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
        if seed is not None:
            seed = check_int(seed, "seed", self, low=0, high=2**32 - 1)
        keep_learned = check_bool(keep_learned, "keep_learned", self)
        if seed is not None:
            self.seed = seed
        self._n_steps = 0
        self.rng = np.random.RandomState(self.seed)
        self.backend.reset(self.rng, keep_learned=keep_learned)
        self.clear_probes()

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

    def run(self, time_in_seconds, progress_bar=None):
        """Simulate for ``time_in_seconds`` (rounded to a whole number of steps)."""
        self._check_open()
        t = check_number(time_in_seconds, "time_in_seconds", self, low=0)
        steps = int(np.round(t / self.dt))
        if steps == 0 and t > 0:
            warnings.warn(f"{t} s is shorter than dt={self.dt} s; no steps were run")
        self.run_steps(steps, progress_bar=progress_bar)

    def run_steps(self, steps, progress_bar=None):
        """Simulate ``steps`` time steps."""
        self._check_open()
        steps = check_int(steps, "steps", self, low=0)
        show = self.progress_bar if progress_bar is None else progress_bar
        if show and steps >= 1000 and sys.stderr.isatty():
            from tqdm import tqdm

            with tqdm(total=steps, unit="step", desc="Simulating") as bar:
                chunk = max(steps // 100, 1)
                done = 0
                while done < steps:
                    n = min(chunk, steps - done)
                    self._run(n)
                    done += n
                    bar.update(n)
        else:
            self._run(steps)

    def _run(self, steps):
        sinks = [self._probe_data[spec.key] for spec, _ in self.backend.probe_index]
        start = self._n_steps
        try:
            self.backend.run(start, steps, sinks)
        finally:  # only completed steps count: a step that raised does not
            self._n_steps = start + self.backend.completed_steps

    def trange(self, sample_every=None, dt=None):
        """Times of the recorded samples (the first step ends at t = dt)."""
        sample_every = dt if sample_every is None else sample_every
        period = 1 if sample_every is None else sample_every / self.dt
        steps = np.arange(1, self._n_steps + 1)
        return self.dt * steps[steps % period < 1]


def _make_cache(decoder_cache):
    if decoder_cache is False:
        return None
    if decoder_cache is None or decoder_cache is True:
        from .build.decoder_cache import DecoderCache

        cache = DecoderCache()
        return cache if cache.enabled else None
    return decoder_cache
