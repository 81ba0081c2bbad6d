"""Process callbacks run on the host, one instance per trial: made, reset, restored.

Both backends evaluate a :class:`~nefsim.processes.Process` through the step function it
makes (``make_state``/``make_step``).  :class:`ProcessInstances` keeps, per op, the seed,
random generator, state dict and step of every instance, so that checkpoints can read
and restore where each random stream stands.
"""

import numpy as np


class ProcessInstances:
    """``rngs[op]``: ``[(seed, RandomState, state dict), ...]``; ``steps[op]``: the step
    functions, one per trial (or one shared by all trials)."""

    def __init__(self, dt):
        self.dt = dt
        self.rngs = {}
        self.steps = {}

    def reset(self, ops, rng):
        """New instances: seeds drawn from ``rng`` (one generator: one instance shared by
        the trials) or from each generator of a list (one instance per trial)."""
        for op in ops:
            self.rngs[op], self.steps[op] = [], []
        for trial_rng in (rng if isinstance(rng, (list, tuple)) else [rng]):
            for op in ops:
                seed = (op.process.seed if op.process.seed is not None
                        else trial_rng.randint(np.iinfo(np.int32).max))
                self._make(op, seed)

    def restore(self, op, trials):
        """Remake ``op``'s instances from ``[(seed, rng state, state dict), ...]``."""
        self.rngs[op], self.steps[op] = [], []
        for seed, rng_state, proc_state in trials:
            self._make(op, seed)
            _, rng, state = self.rngs[op][-1]
            rng.set_state(rng_state)
            for key, value in proc_state.items():
                state[key][...] = value

    def _make(self, op, seed):
        shape_in = (op.inp.size,) if op.inp is not None else (0,)
        shape_out = (op.out.size,)
        rng = np.random.RandomState(seed)
        state = op.process.make_state(shape_in, shape_out, self.dt)
        self.rngs[op].append((seed, rng, state))
        self.steps[op].append(op.process.make_step(shape_in, shape_out, self.dt, rng, state))
