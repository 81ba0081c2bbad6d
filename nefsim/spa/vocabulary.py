"""Vocabularies: named sets of Semantic Pointers of one dimensionality.

A :class:`Vocabulary` creates random pointers that are nearly orthogonal to those it
already holds, looks pointers up by name, parses expressions over them
(``vocab.parse("A * B + ~C")``) and builds linear maps to other vocabularies.
:class:`VocabularyMap` finds the vocabulary of a given dimensionality (used by SPA
networks).  :func:`similarity` and :func:`pairs` are helpers for analysing results.
"""

import itertools
import keyword
import warnings

import numpy as np

from .._validation import (check_array, check_bool, check_instance, check_int, check_number,
                           check_str, is_number)
from ..exceptions import NefsimWarning, ValidationError
from . import parse as _parse
from .algebras import AbstractAlgebra, HrrAlgebra
from .exceptions import SpaKeyError, SpaParseError
from .pointer import AbsorbingElement, Identity, SemanticPointer, Zero
from .vector_generation import RNG_TYPES, UnitLengthVectors

#: names that cannot be used for pointers (Python constants and the special elements)
RESERVED_KEYS = frozenset({"None", "True", "False", "Identity", "Zero", "AbsorbingElement"})
_SPECIAL = {"Identity": Identity, "Zero": Zero, "AbsorbingElement": AbsorbingElement}


def check_key(key, obj=None, attr="key"):
    """Return ``key`` if it can name a Semantic Pointer, else raise ``ValidationError``."""
    if not isinstance(key, str):
        raise ValidationError(f"must be a string (got {type(key).__name__} {key!r})", attr, obj)
    if not key.isidentifier() or keyword.iskeyword(key) or not key[0].isupper():
        raise ValidationError(
            f"{key!r} is not a valid Semantic Pointer name; names must be Python identifiers "
            "that start with a capital letter (e.g. 'Dog', 'COLOR_1')", attr, obj)
    if key in RESERVED_KEYS:
        raise ValidationError(f"{key!r} is reserved; choose another name (reserved: "
                              f"{', '.join(sorted(RESERVED_KEYS))})", attr, obj)
    return key


class Vocabulary:
    """A set of named Semantic Pointers with the same dimensionality and algebra.

    Parameters
    ----------
    dimensions : int
        Dimensionality of every pointer (>= 1).
    strict : bool
        When True, looking up or parsing an unknown name raises; when False, a new random
        pointer is created and added under that name.
    max_similarity : float
        New random pointers are drawn until their dot product with every existing pointer
        is below this value (up to ``attempts`` draws; a warning reports failures).
    pointer_gen : np.random.RandomState, np.random.Generator or iterable, optional
        Source of candidate vectors: a random generator (unit-length random vectors are
        drawn with it) or an iterable of ``dimensions``-sized vectors.  Defaults to
        unit-length vectors from NumPy's global random state.
    name : str, optional
        Name used in messages and reprs.
    algebra : AbstractAlgebra, optional
        Binding algebra (HRR circular convolution by default).
    """

    def __init__(self, dimensions, strict=True, max_similarity=0.1, pointer_gen=None,
                 name=None, algebra=None):
        self.name = check_str(name, "name", self)
        self._dimensions = check_int(dimensions, "dimensions", self, low=1)
        self.strict = check_bool(strict, "strict", self)
        self.max_similarity = check_number(max_similarity, "max_similarity", self)
        self._algebra = check_instance(HrrAlgebra() if algebra is None else algebra,
                                       "algebra", self, AbstractAlgebra)
        if not self._algebra.is_valid_dimensionality(self._dimensions):
            raise ValidationError(f"{self._dimensions} is not valid for {self._algebra!r}",
                                  "dimensions", self)
        self.pointer_gen = self._make_pointer_gen(pointer_gen)
        self._keys = []
        self._key2idx = {}
        self._buffer = np.zeros((8, self._dimensions))

    def _make_pointer_gen(self, pointer_gen):
        if pointer_gen is None or isinstance(pointer_gen, RNG_TYPES):
            return UnitLengthVectors(self._dimensions, rng=pointer_gen)
        if isinstance(pointer_gen, (str, bytes)) or is_number(pointer_gen):
            raise ValidationError(
                f"must be a np.random.RandomState, np.random.Generator or an iterable of "
                f"vectors (got {pointer_gen!r}); for a seed use np.random.RandomState(seed)",
                "pointer_gen", self)
        try:
            return iter(pointer_gen)
        except TypeError:
            raise ValidationError(
                "must be a np.random.RandomState, np.random.Generator or an iterable of "
                f"vectors (got {type(pointer_gen).__name__})", "pointer_gen", self) from None

    # -- read-only properties --------------------------------------------------------

    @property
    def dimensions(self):
        """Dimensionality of the pointers."""
        return self._dimensions

    @property
    def algebra(self):
        """The binding algebra shared by all pointers of this vocabulary."""
        return self._algebra

    @property
    def label(self):
        """The vocabulary's name (used to identify it in error messages)."""
        return self.name

    @property
    def vectors(self):
        """Read-only ``(len(self), dimensions)`` array of the pointers, in key order."""
        view = self._buffer[: len(self._keys)]
        view.flags.writeable = False
        return view

    def keys(self):
        """The pointer names, in the order they were added."""
        return tuple(self._keys)

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self.keys())

    def __contains__(self, key):
        return key in self._key2idx

    def __repr__(self):
        shown = ", ".join(self._keys[:8]) + (", ..." if len(self._keys) > 8 else "")
        name = f" {self.name!r}" if self.name else ""
        return f"<Vocabulary{name} ({self._dimensions}-D): {shown}>"

    # -- creating and adding pointers ------------------------------------------------

    def _next_vector(self):
        try:
            vector = next(self.pointer_gen)
        except StopIteration:
            raise ValidationError("ran out of vectors; give a generator that can produce "
                                  "more, or fewer pointers", "pointer_gen", self) from None
        return check_array(vector, "pointer_gen", self, shape=(self._dimensions,),
                           readonly=False)

    def create_pointer(self, attempts=100, transform=None):
        """A new random pointer, dissimilar (dot < ``max_similarity``) to all present.

        Parameters
        ----------
        attempts : int
            How many candidates to draw before giving up with a warning and returning the
            least similar candidate.
        transform : str or sequence of str, optional
            Methods applied to each candidate before the check, e.g. ``"unitary"``.

        The pointer is *not* added to the vocabulary; use :meth:`add` or :meth:`populate`.
        """
        attempts = check_int(attempts, "attempts", self, low=1)
        methods = self._transform_methods(transform)
        best, best_similarity = None, np.inf
        for _ in range(attempts):
            candidate = SemanticPointer(self._next_vector(), vocab=self)
            for method in methods:
                candidate = getattr(candidate, method)()
            similarity = np.max(self.vectors @ candidate.v) if len(self) else -np.inf
            if similarity < best_similarity:
                best, best_similarity = candidate, similarity
            if similarity < self.max_similarity:
                break
        else:
            warnings.warn(
                f"{self!r}: could not create a pointer with similarity below max_similarity="
                f"{self.max_similarity:g} in {attempts} attempts (dimensions="
                f"{self._dimensions}, pointers={len(self)}; best similarity "
                f"{best_similarity:.3f}); use more dimensions or a larger max_similarity",
                NefsimWarning, stacklevel=2)
        return best

    def _transform_methods(self, transform):
        if transform is None:
            return []
        names = [transform] if isinstance(transform, str) else list(transform)
        methods = []
        for name in names:
            method = name[:-2] if isinstance(name, str) and name.endswith("()") else name
            if method not in _parse.POPULATE_METHODS:
                raise ValidationError(
                    f"must name one of {', '.join(_parse.POPULATE_METHODS)} (got {name!r})",
                    "transform", self)
            methods.append(method)
        return methods

    def add(self, key, p):
        """Add pointer ``p`` (a SemanticPointer or a vector) under the name ``key``."""
        check_key(key, self)
        if key in self._key2idx:
            raise ValidationError(f"{key!r} is already in the vocabulary; pick a new name",
                                  "key", self)
        if isinstance(p, SemanticPointer):
            if p.vocab is not None and p.vocab is not self:
                raise ValidationError(
                    f"belongs to another vocabulary ({p.vocab!r}); use p.translate(vocab) "
                    "or p.reinterpret(vocab) first", "p", self)
            if p.algebra != self._algebra:
                raise ValidationError(f"uses {p.algebra!r}, but this vocabulary uses "
                                      f"{self._algebra!r}", "p", self)
            vector = p.v
        else:
            vector = check_array(p, "p", self, ndim=1)
        if len(vector) != self._dimensions:
            raise ValidationError(
                f"has {len(vector)} dimensions but the vocabulary has {self._dimensions}",
                "p", self)
        self._append(key, vector)

    def _append(self, key, vector):
        n = len(self._keys)
        if n == len(self._buffer):
            grown = np.zeros((2 * n, self._dimensions))
            grown[:n] = self._buffer
            self._buffer = grown
        self._buffer[n] = vector
        self._key2idx[key] = n
        self._keys.append(key)

    def populate(self, pointers):
        """Add pointers described by a ``;``-separated string.

        Each entry is ``NAME`` (a new random pointer), ``NAME.unitary()`` or
        ``NAME.normalized()`` (a new random pointer, transformed), or
        ``NAME = expression`` (the parsed expression, e.g. ``C = A * B``).
        """
        if not isinstance(pointers, str):
            raise ValidationError(f"must be a string like 'A; B; C = A * B' (got "
                                  f"{type(pointers).__name__})", "pointers", self)
        for entry in pointers.split(";"):
            entry = entry.strip()
            if not entry:
                continue
            if "=" in entry:
                key, expression = (part.strip() for part in entry.split("=", 1))
                self.add(check_key(key, self, "pointers"), self.parse(expression))
            else:
                key, methods = _parse.parse_declaration(entry)
                check_key(key, self, "pointers")
                if key in self._key2idx:
                    raise ValidationError(f"{key!r} is already in the vocabulary",
                                          "pointers", self)
                self.add(key, self.create_pointer(transform=methods))

    # -- lookup and parsing ----------------------------------------------------------

    def __getitem__(self, key):
        index = self._key2idx.get(key)
        if index is None:
            if self.strict:
                raise SpaKeyError(
                    f"{self!r} has no pointer {key!r} (strict=True); add it with "
                    f"vocab.populate({key!r}) or create the vocabulary with strict=False")
            self.add(key, self.create_pointer())
            index = self._key2idx[key]
        return SemanticPointer(self._buffer[index], vocab=self, name=key)

    def _lookup(self, name):
        if name in _SPECIAL:
            return _SPECIAL[name](self._dimensions, vocab=self)
        try:
            if name not in self._key2idx:
                check_key(name, self, "parse")
            return self[name]
        except (KeyError, ValidationError) as err:
            raise SpaParseError(str(err)) from None

    def parse(self, text):
        """Evaluate an expression such as ``"A * B + ~C"`` to a SemanticPointer.

        Names are looked up with ``vocab[name]`` (so a non-strict vocabulary adds unknown
        names); ``Identity``, ``Zero`` and ``AbsorbingElement`` are always available.  A
        plain number ``x`` gives ``x * Identity``.  ``text`` may also be a
        :class:`~nefsim.spa.parse.PointerSymbol`.
        """
        if isinstance(text, _parse.PointerSymbol):
            text = text.expr
        value = _parse.evaluate(text, self._lookup)
        if is_number(value):
            value = value * Identity(self._dimensions, vocab=self)
        return value

    def parse_n(self, *texts):
        """:meth:`parse` each expression; returns a list of pointers."""
        return [self.parse(text) for text in texts]

    def dot(self, v):
        """Dot product of every pointer with ``v``: an array of ``len(self)`` values."""
        if isinstance(v, SemanticPointer):
            v = v.v
        v = check_array(v, "v", self, shape=(self._dimensions,), readonly=False)
        return self.vectors @ v

    # -- derived vocabularies and maps -----------------------------------------------

    def create_subset(self, keys):
        """A new vocabulary holding copies of the pointers named in ``keys``."""
        keys = list(keys)
        missing = [key for key in keys if key not in self._key2idx]
        if missing:
            raise ValidationError(f"{missing} are not in the vocabulary {self!r}", "keys",
                                  self)
        subset = Vocabulary(self._dimensions, strict=self.strict,
                            max_similarity=self.max_similarity, pointer_gen=self.pointer_gen,
                            name=self.name, algebra=self._algebra)
        for key in keys:
            subset.add(key, self._buffer[self._key2idx[key]])
        return subset

    def transform_to(self, other, populate=None, keys=None, solver=None):
        """Matrix mapping each pointer here to the pointer of the same name in ``other``.

        Parameters
        ----------
        other : Vocabulary
            Target vocabulary (may have other dimensions).
        populate : bool or None
            What to do with keys ``other`` lacks: True adds them to ``other`` as new
            random pointers, False skips them, None skips them with a warning.
        keys : iterable of str, optional
            Names to map (all of this vocabulary's by default).
        solver : callable, optional
            ``solver(A, Y)`` returning ``X`` (or ``(X, info)``, as Nengo solvers do) with
            ``A @ X ~= Y``; by default the sum of outer products ``other[k] self[k]^T``.

        Returns
        -------
        (other.dimensions, self.dimensions) array
        """
        other = check_instance(other, "other", self, Vocabulary)
        populate = check_bool(populate, "populate", self, optional=True)
        keys = self.keys() if keys is None else list(keys)
        unknown = [key for key in keys if key not in self._key2idx]
        if unknown:
            raise ValidationError(f"{unknown} are not in the source vocabulary {self!r}",
                                  "keys", self)
        missing = [key for key in keys if key not in other]
        if missing and populate:
            for key in missing:
                other.add(key, other.create_pointer())
        elif missing and populate is None:
            warnings.warn(f"{other!r} lacks {missing}; they are left out of the transform "
                          "(pass populate=True to add them or False to silence this)",
                          NefsimWarning, stacklevel=2)
        keys = [key for key in keys if key in other]
        source = np.array([self._buffer[self._key2idx[k]] for k in keys]).reshape(
            len(keys), self._dimensions)
        target = np.array([other._buffer[other._key2idx[k]] for k in keys]).reshape(
            len(keys), other.dimensions)
        if solver is None:
            return target.T @ source
        result = solver(source, target)
        weights = result[0] if isinstance(result, tuple) else result
        return np.asarray(weights).T


class VocabularyMap:
    """Maps a dimensionality to the one vocabulary used for it.

    Parameters
    ----------
    vocabs : iterable of Vocabulary, optional
        Initial vocabularies (at most one per dimensionality; a later one replaces an
        earlier one with a warning).
    rng : np.random.RandomState, optional
        Random generator given to vocabularies created by :meth:`get_or_create`.
    """

    def __init__(self, vocabs=None, rng=None):
        self.rng = check_instance(rng, "rng", self, RNG_TYPES, optional=True,
                                  what="a np.random.RandomState or np.random.Generator")
        self._vocabs = {}
        for vocab in vocabs or ():
            self.add(vocab)

    def add(self, vocab):
        """Use ``vocab`` for its dimensionality (replacing any other, with a warning)."""
        vocab = check_instance(vocab, "vocab", self, Vocabulary)
        if vocab.dimensions in self._vocabs and self._vocabs[vocab.dimensions] is not vocab:
            warnings.warn(f"replacing the {vocab.dimensions}-D vocabulary "
                          f"{self._vocabs[vocab.dimensions]!r} with {vocab!r}", NefsimWarning,
                          stacklevel=2)
        self._vocabs[vocab.dimensions] = vocab

    def discard(self, vocab):
        """Remove a vocabulary, given as the object or its dimensionality."""
        dimensions = vocab.dimensions if isinstance(vocab, Vocabulary) else vocab
        if isinstance(vocab, Vocabulary) and self._vocabs.get(dimensions) is not vocab:
            return
        self._vocabs.pop(dimensions, None)

    def __getitem__(self, dimensions):
        return self._vocabs[dimensions]

    def get_or_create(self, dimensions):
        """The vocabulary for ``dimensions``; a new non-strict one if there is none."""
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        if dimensions not in self._vocabs:
            self._vocabs[dimensions] = Vocabulary(dimensions, strict=False,
                                                  pointer_gen=self.rng)
        return self._vocabs[dimensions]

    def __contains__(self, vocab):
        if isinstance(vocab, Vocabulary):
            return self._vocabs.get(vocab.dimensions) is vocab
        return vocab in self._vocabs

    def __iter__(self):
        return iter(self._vocabs.values())

    def __len__(self):
        return len(self._vocabs)


def similarity(data, vocab, normalize=False):
    """Dot products of each row of ``data`` with each pointer of ``vocab``.

    Parameters
    ----------
    data : (n, dimensions) array, (dimensions,) array or SemanticPointer
        Vectors to compare, e.g. a probe's data over time.
    vocab : Vocabulary or (n_keys, dimensions) array
        The pointers to compare with.
    normalize : bool
        Divide by the vector lengths, giving cosine similarities (zero vectors give 0).

    Returns
    -------
    (n, n_keys) array, or (n_keys,) for a single vector
    """
    if isinstance(data, SemanticPointer):
        data = data.v
    vectors = vocab.vectors if isinstance(vocab, Vocabulary) else check_array(
        vocab, "similarity.vocab", None, ndim=2, readonly=False)
    data = check_array(data, "similarity.data", None, readonly=False)
    if data.ndim not in (1, 2) or data.shape[-1] != vectors.shape[1]:
        raise ValidationError(f"must have shape (n, {vectors.shape[1]}) to match the "
                              f"vocabulary (got {data.shape})", "similarity.data")
    if normalize:
        data = _unit_rows(data)
        vectors = _unit_rows(vectors)
    return data @ vectors.T


def _unit_rows(x):
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def pairs(vocab):
    """Expressions ``"A*B"`` binding every unordered pair of ``vocab``'s keys (a set)."""
    vocab = check_instance(vocab, "pairs.vocab", None, Vocabulary)
    return {f"{a}*{b}" for a, b in itertools.combinations(vocab.keys(), 2)}
