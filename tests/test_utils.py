"""nefsim.utils: tuning/response curves equal Nengo's; the raster plot draws spikes."""

import numpy as np
import pytest

import nefsim
from nefsim.exceptions import ValidationError
from nefsim.utils.ensemble import response_curves, tuning_curves


def test_curves_match_nengo():
    nengo = pytest.importorskip("nengo")
    from nengo.utils.ensemble import response_curves as ref_response
    from nengo.utils.ensemble import tuning_curves as ref_tuning

    results = []
    for m in (nefsim, nengo):
        with m.Network(seed=3) as net:
            a = m.Ensemble(12, 1, radius=2.0)
        with m.Simulator(net, progress_bar=False) as sim:
            results.append((a, sim))
    (a, sim), (ra, rsim) = results
    for ours, theirs in ((tuning_curves(a, sim), ref_tuning(ra, rsim)),
                         (response_curves(a, sim), ref_response(ra, rsim))):
        assert ours[0].shape == theirs[0].shape
        assert np.allclose(ours[0], theirs[0]) and np.allclose(ours[1], theirs[1], atol=1e-9)
        assert ours[1].max() > 100


def test_tuning_curves_in_2d_and_errors():
    with nefsim.Network(seed=1) as net:
        a = nefsim.Ensemble(8, 2)
        d = nefsim.Ensemble(1, 2, neuron_type=nefsim.Direct(), label="direct")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        x, rates = tuning_curves(a, sim)
        assert x.shape == (50, 50, 2) and rates.shape == (50, 50, 8)
        with pytest.raises(ValidationError, match="inputs"):
            tuning_curves(a, sim, inputs=np.zeros((5, 3)))
        with pytest.raises(ValidationError, match="direct"):
            tuning_curves(d, sim)


def test_rasterplot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from nefsim.utils.matplotlib import rasterplot

    spikes = np.zeros((100, 3))
    spikes[[10, 20, 30], [0, 1, 2]] = 1000
    ax = rasterplot(np.arange(100) * 0.001, spikes)
    segments = [c.get_positions() for c in ax.collections]
    assert [list(np.round(s, 3)) for s in segments] == [[0.01], [0.02], [0.03]]
