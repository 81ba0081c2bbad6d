"""``spa.Bind``: binds two Semantic Pointers with neurons (circular convolution)."""

from ..._validation import Default, check_bool, check_int
from ...networks import CircularConvolution
from ..algebras import HrrAlgebra
from ..exceptions import SpaTypeError
from ..network import Network


class Bind(Network):
    """Computes the binding ``input_left * input_right`` of two pointers of ``vocab``.

    Built on :class:`nefsim.networks.CircularConvolution`, so the vocabulary must use the
    HRR algebra.

    Parameters
    ----------
    vocab : Vocabulary or int
        Vocabulary of both inputs and of the output.
    neurons_per_dimension : int, optional
        Neurons per element-wise product in the Fourier domain.  Default 200.
    invert_a, invert_b : bool, optional
        Bind with the (approximate) inverse of the left or right input.  Default False.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    input_left, input_right, output : Node
    """

    _param_defaults = {"vocab": None, "neurons_per_dimension": 200, "invert_a": False,
                       "invert_b": False}

    def __init__(self, vocab=Default, neurons_per_dimension=Default, invert_a=Default,
                 invert_b=Default, **kwargs):
        super().__init__(**kwargs)
        self.vocab = self.get_vocab(self._arg("vocab", vocab))
        if not isinstance(self.vocab.algebra, HrrAlgebra):
            raise SpaTypeError(f"{self}: Bind computes circular convolution, so the "
                               f"vocabulary must use HrrAlgebra (got {self.vocab.algebra!r})")
        self.neurons_per_dimension = check_int(
            self._arg("neurons_per_dimension", neurons_per_dimension),
            "neurons_per_dimension", self, low=2)
        self.invert_a = check_bool(self._arg("invert_a", invert_a), "invert_a", self)
        self.invert_b = check_bool(self._arg("invert_b", invert_b), "invert_b", self)
        with self:
            self.binding = CircularConvolution(
                self.neurons_per_dimension, self.vocab.dimensions, invert_a=self.invert_a,
                invert_b=self.invert_b, label="binding")
        self.input_left = self.declare_input(self.binding.input_a, self.vocab)
        self.input_right = self.declare_input(self.binding.input_b, self.vocab)
        self.output = self.declare_output(self.binding.output, self.vocab)
