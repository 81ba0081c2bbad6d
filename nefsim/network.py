"""``Network``: the container of a model's ensembles, nodes, connections, probes and subnetworks.

``with net:`` makes ``net`` the network that new objects are added to, and makes
``net.config`` active for resolving ``Default`` arguments.  Contexts nest and are
per-thread.  Library networks (``EnsembleArray`` and friends) subclass ``Network``.
"""

import copy as copy_module

from ._validation import check_seed, check_str
from .config import Config, ThreadLocalStack
from .connection import Connection
from .ensemble import Ensemble
from .exceptions import NetworkContextError, ReadonlyError, ValidationError
from .learning_rules import LearningRuleType
from .neurons import NeuronType
from .node import Node
from .probe import Probe


class Network:
    """A container of model objects, usable as a ``with`` context.

    Parameters
    ----------
    label : str, optional
        Name of the network (used as a prefix in state names).
    seed : int, optional
        Seed from which the seeds of all contained objects are derived.
    add_to_container : bool, optional
        Whether to add this network to the enclosing network.  By default it is added
        when created inside a ``with`` block.

    Attributes
    ----------
    ensembles, nodes, connections, networks, probes : list
        The objects created directly in this network, in creation order.
    config : Config
        Defaults for objects created inside ``with net:``.
    """

    context = ThreadLocalStack()  # active networks, innermost last

    def __init__(self, label=None, seed=None, add_to_container=None):
        self.label = check_str(label, "label", self)
        self.seed = check_seed(seed, "seed", self)
        self._config = self.default_config()
        self.objects = {Ensemble: [], Node: [], Connection: [], Network: [], Probe: []}
        self._members = set()
        if add_to_container is None:
            add_to_container = bool(Network.context)
        if add_to_container:
            if not Network.context:
                raise NetworkContextError(
                    f"{self} was created with add_to_container=True outside any "
                    "`with network:` block; create it inside one, or leave "
                    "add_to_container unset")
            Network.context[-1].add(self)

    # -- the five lists ----------------------------------------------------------------

    @property
    def ensembles(self):
        return self.objects[Ensemble]

    @property
    def nodes(self):
        return self.objects[Node]

    @property
    def connections(self):
        return self.objects[Connection]

    @property
    def networks(self):
        return self.objects[Network]

    @property
    def probes(self):
        return self.objects[Probe]

    def add(self, obj):
        """Add ``obj`` (an Ensemble, Node, Connection, Probe or Network) to this network."""
        for kind in (Ensemble, Node, Connection, Probe, Network):
            if isinstance(obj, kind):
                break
        else:
            raise ValidationError(
                "can only add an Ensemble, Node, Connection, Probe or Network "
                f"(got {type(obj).__name__} {obj!r})", "add", self)
        if id(obj) in self._members:
            raise ValidationError(f"{obj} is already in this network", "add", self)
        self._members.add(id(obj))
        self.objects[kind].append(obj)

    # -- recursive accessors -----------------------------------------------------------

    def _all(self, kind):
        found = list(self.objects[kind])
        for sub in self.objects[Network]:
            found.extend(sub._all(kind))
        return found

    @property
    def all_ensembles(self):
        """Ensembles of this network and all its subnetworks."""
        return self._all(Ensemble)

    @property
    def all_nodes(self):
        return self._all(Node)

    @property
    def all_connections(self):
        return self._all(Connection)

    @property
    def all_probes(self):
        return self._all(Probe)

    @property
    def all_networks(self):
        """All subnetworks, at any depth."""
        return self._all(Network)

    @property
    def all_objects(self):
        """All ensembles, nodes, connections, subnetworks and probes, at any depth."""
        return [obj for kind in (Ensemble, Node, Connection, Network, Probe)
                for obj in self._all(kind)]

    @property
    def n_neurons(self):
        """Total number of neurons in this network and its subnetworks."""
        return sum(ens.n_neurons for ens in self.all_ensembles)

    # -- configuration -----------------------------------------------------------------

    @staticmethod
    def default_config():
        """A fresh Config for the classes a network configures."""
        return Config(Connection, Ensemble, Node, Probe, NeuronType, LearningRuleType)

    @property
    def config(self):
        return self._config

    @config.setter
    def config(self, value):
        raise ReadonlyError("config", self, "cannot be replaced; change its entries instead, "
                                            "e.g. net.config[Ensemble].radius = 2")

    # -- context -----------------------------------------------------------------------

    def __enter__(self):
        Network.context.append(self)
        self._config.__enter__()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if not Network.context:
            raise NetworkContextError(
                "Network.context in bad state: it was empty when leaving a 'with' block")
        top = Network.context.pop()
        if top is not self:
            raise NetworkContextError(
                "Network.context in bad state: left a network that was not the innermost "
                f"one ({top} instead of {self})")
        self._config.__exit__(exc_type, exc_value, traceback)

    # -- misc --------------------------------------------------------------------------

    def copy(self, add_to_container=None):
        """Deep copy of this network and everything in it (references are remapped)."""
        new = copy_module.deepcopy(self)
        if add_to_container is None:
            add_to_container = bool(Network.context)
        if add_to_container:
            if not Network.context:
                raise NetworkContextError("cannot add the copy: no `with network:` block "
                                          "is active")
            Network.context[-1].add(new)
        return new

    def __setstate__(self, state):
        self.__dict__.update(state)
        # member ids change when objects are copied or unpickled
        self._members = {id(obj) for objs in self.objects.values() for obj in objs}

    def __repr__(self):
        name = f'"{self.label}"' if self.label is not None else "(unlabeled)"
        return f"<{type(self).__name__} {name} at 0x{id(self):x}>"

    def __str__(self):
        if self.label is None:
            return repr(self)
        return f'<{type(self).__name__} "{self.label}">'

