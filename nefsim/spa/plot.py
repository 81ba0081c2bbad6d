"""Plot how similar decoded vectors are to a vocabulary's pointers over time.

Needs matplotlib (``pip install nefsim[plot]``); it is imported only when a plot is made.
"""

import numpy as np

from ..exceptions import ValidationError
from ..plot import _pyplot, finish_figure
from .vocabulary import Vocabulary, similarity


def plot_similarity(t, data, vocab, keys=None, path=None, normalize=False, title=None):
    """Plot the similarity of ``data`` to each pointer of ``vocab`` against ``t``.

    Parameters
    ----------
    t : (n,) array
        Times of the rows of ``data`` (e.g. ``sim.trange()``).
    data : (n, dimensions) array
        Vectors over time (e.g. ``sim.data[probe]``).
    vocab : Vocabulary
        Pointers to compare with.
    keys : sequence of str, optional
        Only plot these pointers (all by default).
    path : str, optional
        Save the figure as a PNG here (written atomically) and close it.
    normalize : bool
        Plot cosine similarities instead of dot products.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(vocab, Vocabulary):
        raise ValidationError(f"must be a Vocabulary (got {type(vocab).__name__})",
                              "plot_similarity.vocab")
    if keys is not None:
        vocab = vocab.create_subset(keys)
    if len(vocab) == 0:
        raise ValidationError("has no pointers to compare with; populate it first",
                              "plot_similarity.vocab")
    t = np.asarray(t, dtype=float).ravel()
    values = similarity(data, vocab, normalize=normalize)
    if values.ndim != 2 or len(values) != len(t):
        raise ValidationError(f"must have one row per time step ({len(t)}), got shape "
                              f"{np.shape(data)}", "plot_similarity.data")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, key in enumerate(vocab.keys()):
        ax.plot(t, values[:, i], label=key)
    ax.set_ylabel("cosine similarity" if normalize else "similarity")
    return finish_figure(fig, ax, title, path)
