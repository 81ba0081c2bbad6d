"""Ordering and merging of IR ops, and the layout of signals in the flat state buffer.

Each signal imposes Nengo's per-step order on the ops that touch it:
set → inc → read → update.  :func:`schedule` assigns every op its *level*, the length of
the longest dependency chain that ends in it.  Two ops on the same level cannot depend on
each other, so ops of one kind on one level are merged into a single
:class:`~nefsim.build.ir.OpGroup` (merging by construction: a short, deterministic rule
instead of an optimizer search).  A dependency cycle, which a loop without a synapse
makes, is a :class:`~nefsim.exceptions.BuildError` naming the ops in the loop.
"""

from collections import defaultdict

import numpy as np

from ..exceptions import BuildError
from .ir import DotInc, ElementwiseInc, Filter, NeuronStep, OpGroup, Copy, Reset


def dependency_edges(ops):
    """Return ``{op: set of ops that must run after it}`` from the per-signal rule."""
    by_signal = defaultdict(lambda: ([], [], [], []))
    for op in ops:
        for phase, sigs in enumerate((op.sets, op.incs, op.reads, op.updates)):
            for sig in sigs:
                by_signal[sig][phase].append(op)
    for op in ops:
        looped = set(op.reads) & (set(op.sets) | set(op.incs))
        if looped:
            raise BuildError(
                f"the model has an algebraic loop: {op.tag or type(op).__name__!r} reads "
                f"{next(iter(looped)).name!r} within the same time step in which it writes "
                "it. Put a synapse (e.g. synapse=0.005) on the connection.")
    after = {op: set() for op in ops}
    for sig, (sets, incs, reads, updates) in by_signal.items():
        if len(sets) > 1:
            raise BuildError(f"signal {sig.name!r} is set by {len(sets)} ops "
                             f"({', '.join(o.tag for o in sets)}); only one may set it")
        if len(updates) > 1:
            raise BuildError(f"signal {sig.name!r} is updated by {len(updates)} ops "
                             f"({', '.join(o.tag for o in updates)}); only one may update it")
        phases = (sets, incs, reads, updates)
        for i, earlier in enumerate(phases):
            later = [op for phase in phases[i + 1:] for op in phase]
            for a in earlier:
                after[a].update(b for b in later if b is not a)
    return after


def levels(ops):
    """Longest-path level of every op; raises BuildError on a cycle."""
    after = dependency_edges(ops)
    n_before = {op: 0 for op in ops}
    for op, succ in after.items():
        for b in succ:
            n_before[b] += 1
    level = {op: 0 for op in ops}
    ready = [op for op in ops if n_before[op] == 0]
    done = 0
    while ready:
        nxt = []
        for op in ready:
            done += 1
            for b in after[op]:
                level[b] = max(level[b], level[op] + 1)
                n_before[b] -= 1
                if n_before[b] == 0:
                    nxt.append(b)
        ready = nxt
    if done < len(ops):
        stuck = [op.tag or type(op).__name__ for op in ops if n_before[op] > 0]
        raise BuildError(
            "the model has an algebraic loop: these computations depend on each other "
            f"within one time step: {', '.join(stuck[:12])}"
            f"{' ...' if len(stuck) > 12 else ''}. Put a synapse (e.g. synapse=0.005) on "
            "at least one connection of the loop.")
    return level


def schedule(ops):
    """Return the ops merged into OpGroups, in an order that respects every dependency."""
    level = levels(ops)
    by_level = defaultdict(list)
    for op in ops:  # definition order is kept inside each level
        by_level[level[op]].append(op)
    groups = []
    for lv in sorted(by_level):
        keyed = {}
        for op in by_level[lv]:
            key = op.merge_key()
            if key is None:
                groups.append(OpGroup([op]))
                continue
            if key not in keyed:
                keyed[key] = OpGroup([])
                groups.append(keyed[key])
            keyed[key].ops.append(op)
    return groups


# ------------------------------------------------------------------ layout
def _layout_wishes(group):
    """Signals a group would like to find contiguous in the buffer, in order."""
    op0 = group.ops[0]
    if isinstance(op0, NeuronStep):
        wishes = [[op.J for op in group.ops], [op.out for op in group.ops]]
        for name in op0.state:
            wishes.append([op.state[name] for op in group.ops])
        return wishes
    if isinstance(op0, Filter):
        return [[op.inp.signal for op in group.ops], [op.out for op in group.ops],
                [op.state for op in group.ops]]
    if isinstance(op0, (DotInc, ElementwiseInc, Copy)):
        return [[op.dst.signal for op in group.ops], [op.src.signal for op in group.ops]]
    if isinstance(op0, Reset):
        return [[op.dst for op in group.ops]]
    return []


_PRIORITY = {NeuronStep: 0, Filter: 1, DotInc: 2, ElementwiseInc: 3, Copy: 4, Reset: 5}


def layout(signals, groups):
    """Give every signal an offset in the flat buffer; returns ``({signal: offset}, total)``.

    Merged groups are laid out first, so that the arrays a kernel touches are usually
    contiguous and can be addressed with slices instead of index arrays.
    """
    offsets = {}
    total = 0

    def place(sig):
        nonlocal total
        if sig not in offsets:
            offsets[sig] = total
            total += sig.size

    ordered = sorted(groups, key=lambda g: _PRIORITY.get(type(g.ops[0]), 9))
    for group in ordered:
        for wish in _layout_wishes(group):
            for sig in wish:
                place(sig)
    for sig in signals:
        place(sig)
    return offsets, total


def global_indices(ref, offsets):
    """The buffer indices of a Ref, as a slice when contiguous, else an int array."""
    idx = offsets[ref.signal] + ref.local_indices()
    return compact(idx)


def compact(idx):
    """Turn an ascending run of consecutive ints into a slice (fast views in NumPy)."""
    idx = np.asarray(idx, dtype=np.intp)
    if idx.size == 0:
        return slice(0, 0)
    if idx.size == 1 or np.all(np.diff(idx) == 1):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx
