"""The physical floor of one simulation step (shared/reference/backends.md §6.1).

For a model with ensembles of ``n_i`` neurons and ``d_i`` input dimensions, and decoded
outputs (connections and probes) reading ``D_c`` dimensions from ``n_c`` neurons:

    FLOPs = sum_i n_i (f_n + 2 d_i) + sum_c 2 D_c n_c
    bytes = b [sum_i n_i (4 + 1 + d_i) + sum_c D_c n_c]
    floor = max(FLOPs / PEAK_FLOPS, bytes / BANDWIDTH)

with ``b`` bytes per value (8 for float64, 4 for float32): per neuron, the voltage and
refractory time read and written (4 values), the bias and the encoders (``1 + d_i``);
per output, its decoders.  Connections with full weights count ``n_pre x n_post``
instead of ``D_c x n_c``; learned ones count their weights twice more (updated and
written back every step).  Node work is left out (a few values per step).
"""

FLOPS_PER_NEURON = 12
"""``f_n``: a LIF update with a constant decay factor and spike-time work only where a
neuron spikes (§6.1); a full ``expm1``/``log1p`` update is about 60."""
PEAK_FLOPS = 50e9
"""Both cores of this machine on mixed, transcendental-heavy code (§6.2)."""
BANDWIDTH = 20e9
"""Bytes per second from DRAM (§6.2)."""


def model_cost(net):
    """``(flops, values)`` moved per step by ``net`` (values times ``b`` gives bytes).

    ``net`` is a Nengo or nefsim Network; only the public modelling API is used.
    """
    flops = values = 0
    for ens in net.all_ensembles:
        n, d = ens.n_neurons, ens.dimensions
        flops += n * (FLOPS_PER_NEURON + 2 * d)
        values += n * (5 + d)
    for conn in net.all_connections:
        n_pre = _neurons(conn.pre_obj)
        if n_pre is None:
            continue  # from a node: no per-neuron work
        if type(conn.pre_obj).__name__ == "Neurons":
            weights = n_pre * (_neurons(conn.post_obj) or conn.size_out)
        else:
            weights = n_pre * conn.size_mid
        flops += 2 * weights
        values += weights * (3 if conn.learning_rule_type else 1)
    for probe in net.all_probes:  # decoded probes of ensembles; others are copies
        if type(probe.obj).__name__ == "Ensemble" and probe.attr == "decoded_output":
            flops += 2 * probe.obj.n_neurons * probe.size_in
            values += probe.obj.n_neurons * probe.size_in
    return flops, values


def _neurons(obj):
    """The neuron count behind ``obj`` (an Ensemble or its Neurons), else None."""
    kind = type(obj).__name__
    if kind == "Ensemble":
        return obj.n_neurons
    if kind == "Neurons":
        return obj.ensemble.n_neurons
    return None


def floor_us(flops, values, bytes_per_value):
    """The floor in µs per step: ``max(flops / PEAK_FLOPS, bytes / BANDWIDTH)``."""
    return 1e6 * max(flops / PEAK_FLOPS, values * bytes_per_value / BANDWIDTH)


FORMULA = ("floor = max(FLOPs / P, bytes / BW) per step, FLOPs = sum_i n_i (f_n + 2 d_i) "
           "+ sum_c 2 D_c n_c, bytes = b [sum_i n_i (5 + d_i) + sum_c D_c n_c] "
           f"(backends.md §6.1), f_n = {FLOPS_PER_NEURON}, P = {PEAK_FLOPS / 1e9:g} GFLOP/s, "
           f"BW = {BANDWIDTH / 1e9:g} GB/s, b = 8 (float64) or 4 (jax float32)")
