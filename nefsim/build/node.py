"""Build a Node: a constant, a Python callback, a Process, or a passthrough.

A passthrough node's output *is* its input signal, which is zeroed and summed into every
step, so it adds no delay.
"""

import numpy as np

from ..node import Node
from ..processes import Process
from .ir import ProcessStep, PyFunc, Reset
from .model import register


@register(Node)
def build_node(model, node):
    name = model.name_of(node)
    sig_in = None
    if node.size_in > 0:
        sig_in = model.add_signal(f"{name}:in", np.zeros(node.size_in))
        model.add_op(Reset(sig_in, tag=f"{name}: reset input"))

    output = node.output
    if output is None:
        sig_out = sig_in
    elif isinstance(output, Process):
        sig_out = model.add_signal(f"{name}:out", np.zeros(node.size_out))
        model.add_op(ProcessStep(output, sig_out.ref(),
                                 inp=sig_in.ref() if sig_in is not None else None,
                                 mode="set", owner=f"Node {name!r}", tag=f"{name}: process"))
    elif callable(output):
        sig_out = (model.add_signal(f"{name}:out", np.zeros(node.size_out))
                   if node.size_out > 0 else None)
        model.add_op(PyFunc(output, out=sig_out,
                            x=sig_in.ref() if sig_in is not None else None,
                            pass_time=True, owner=f"Node {name!r}", tag=f"{name}: function"))
    else:
        sig_out = model.add_signal(f"{name}:out", np.asarray(output, dtype=float).reshape(-1),
                                   kind="const")
    model.sig[node].update({"in": sig_in, "out": sig_out})
    model.params[node] = None
