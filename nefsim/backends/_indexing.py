"""Index bookkeeping shared by the backends: buffer indices, runs, stacked products.

Backends address signals in one flat buffer through slices (cheap views) or int arrays.
These helpers combine the indices of merged op groups, and find the structure both
backends exploit: runs of contiguous copies and groups of equal-shaped products.
"""

import numpy as np
import scipy.sparse

from ..build.schedule import compact


def concat_indices(indices):
    """The int array of all indices in a list of slices and int arrays."""
    parts = [np.arange(i.start, i.stop) if isinstance(i, slice) else np.asarray(i)
             for i in indices]
    return np.concatenate(parts).astype(np.intp) if parts else np.zeros(0, dtype=np.intp)


def index_key(idx):
    """A hashable key for a slice or index array (the indices it selects)."""
    if isinstance(idx, slice):
        return tuple(range(idx.start, idx.stop))
    return tuple(int(i) for i in idx)


def has_duplicates(idx):
    if isinstance(idx, slice):
        return False
    return np.unique(idx).size != idx.size


def contiguous_runs(pairs, max_runs=8):
    """Merge ``(src, dst)`` slice pairs that continue each other.

    Returns the list of runs, or None if more than ``max_runs`` remain (then one
    gather/scatter is cheaper than a Python loop) or a ``dst`` index array repeats an
    index.  Index arrays are kept as their own runs.
    """
    runs = []
    for src, dst in pairs:
        if has_duplicates(dst):
            return None
        if not (isinstance(src, slice) and isinstance(dst, slice)):
            runs.append((src, dst))
            continue
        if (runs and isinstance(runs[-1][0], slice) and isinstance(runs[-1][1], slice)
                and runs[-1][0].stop == src.start and runs[-1][1].stop == dst.start):
            last_src, last_dst = runs[-1]
            runs[-1] = (slice(last_src.start, src.stop), slice(last_dst.start, dst.stop))
        else:
            runs.append((src, dst))
    return runs if len(runs) <= max_runs else None


def all_dense(ops, arrays):
    """Whether every product of a DotInc group has a dense 2-D matrix."""
    return not any(scipy.sparse.issparse(arrays[op.weights])
                   or np.ndim(arrays[op.weights]) != 2 for op in ops)


def stacked_products(ops, arrays, index):
    """A DotInc group as one batched product, or None when it does not fit.

    Products that read the same input (several decoders of one ensemble) are first
    stacked into one taller matrix.  When every resulting block has the same shape
    (ensemble arrays, chains, circular convolution) the group is one batched product.
    Returns ``(W, src, dst)``: ``W`` of shape ``(m, rows, cols)`` (float64) and the
    compacted buffer indices of the ``m * cols`` inputs and ``m * rows`` outputs.
    """
    if not all_dense(ops, arrays):
        return None
    blocks = {}  # input indices -> (matrices, outputs), in first-seen order
    for op in ops:
        mats, dsts = blocks.setdefault(index_key(index(op.src)), ([], []))
        mats.append(np.asarray(arrays[op.weights], dtype=np.float64))
        dsts.append(concat_indices([index(op.dst)]))
    stacked = [np.vstack(mats) for mats, _ in blocks.values()]
    if len({W.shape for W in stacked}) != 1:
        return None
    dst = concat_indices([d for _, dsts in blocks.values() for d in dsts])
    if has_duplicates(dst):
        return None
    src = compact(np.concatenate([np.asarray(k, dtype=np.intp) for k in blocks]))
    return np.stack(stacked), src, compact(dst)
