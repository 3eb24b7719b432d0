"""One computed state per posture: :func:`compute`.

Everything the notebooks, the tables, the command line and the figure show
about one posture (or an array of postures) comes from one call::

    s = compute(posture, view="sitting")
    s.lengths_mm["sciatic"]            # mm, every nerve and muscle of the registry
    s.contributions_mm["femoral"]      # joint -> mm from the reference
    s.relative("sciatic")              # 1.0 at the reference
    s.drawing["nerves"]["sciatic"]     # (k, 2) world mm, when a view is given
    s.mechanics("sciatic")             # neuralsim.mechanics result, computed on first use

``structures=`` limits the work to the named nerves and muscles (the explorer
computes only its nerve and the muscles it draws, once per key press).

The posture is checked once against the body's ranges; every length, every
contribution and the drawing are then read from those checked angles.  The
result is immutable (read-only mappings; the mechanics is computed on first
use and kept).

>>> from neuralsim import Posture
>>> s = compute(Posture(knee_flexion=90), view="sitting")
>>> round(s.change_mm("femoral"), 1)          # 20 mm in front of the knee x pi/2
31.4
>>> s.change_mm("semitendinosus") < 0
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np

from ..model import registry as _reg
from ..core.body import Body
from ..model.lengths import REFERENCE, _body, _contributions_of, _result, drawing
from ..core.errors import as_name, read_only
from ..core.posture import Posture, angle_array, angle_arrays, as_posture

__all__ = ["State", "compute"]


@dataclass(frozen=True, eq=False)
class State:
    """Everything computed for one posture (or an array of postures of shape ``shape``).

    ``posture``, ``reference`` (:class:`~neuralsim.Posture`, degrees), ``body``,
    ``view`` (``None`` when not drawn); ``lengths_mm`` (structure -> mm, float or
    array of shape ``shape``) for every nerve and muscle of the registry;
    ``reference_mm`` (the same in the reference posture); ``contributions_mm``
    (structure -> joint -> mm from the reference; they sum to the change);
    ``drawing`` (as :func:`neuralsim.model.drawing`, or ``None``); ``angles``
    (joint -> deg, checked); ``nerves`` and ``muscles`` (names, registry order);
    ``groups`` (muscle group -> names).  When :func:`compute` was given
    ``structures``, the lengths, contributions and drawing hold those only
    (``nerves``, ``muscles`` and ``groups`` still describe the whole registry).
    """

    posture: Posture
    reference: Posture
    body: Body
    view: str | None
    angles: Mapping[str, Any]
    lengths_mm: Mapping[str, Any]
    reference_mm: Mapping[str, Any]
    contributions_mm: Mapping[str, Mapping[str, Any]]
    drawing: Mapping | None
    nerves: tuple[str, ...]
    muscles: tuple[str, ...]
    groups: Mapping[str, tuple[str, ...]]
    _registry: Any = field(repr=False)
    _mech: dict = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple:
        """Broadcast shape of the postures: ``()`` for one posture."""
        return tuple(np.broadcast_shapes(self.posture.shape, self.reference.shape))

    def change_mm(self, structure: str):
        """Length of ``structure`` now minus in the reference, mm."""
        name = self._computed(structure)
        return read_only(_result(np.asarray(self.lengths_mm[name]) - self.reference_mm[name]))

    def relative(self, nerve: str | None = None):
        """Length of ``nerve``'s bed over its length in the reference (1)."""
        name = self._computed(self._registry.nerve(nerve).name)
        return read_only(_result(np.asarray(self.lengths_mm[name]) / self.reference_mm[name]))

    def _computed(self, name: Any, kind: str | None = None) -> str:
        """``name`` checked against the registry and against the structures this state holds."""
        name = self._check(name, kind)
        if name not in self.lengths_mm:
            raise ValueError(f"structure {name!r} was not computed: this state was computed for "
                             f"structures={list(self.lengths_mm)}; compute it with that structure too")
        return name

    def group_mean_mm(self, group: str):
        """Mean length (mm) of the muscles of ``group`` (e.g. ``"hamstrings"``)."""
        as_name("muscle group", group, self.groups)
        names = [self._computed(m) for m in self.groups[group]]
        return read_only(_result(np.mean([np.asarray(self.lengths_mm[m]) for m in names], axis=0)))

    def mechanics(self, nerve: str | None = None):
        """:func:`neuralsim.nerve_mechanics` of ``nerve`` for this posture and reference (computed once).

        Raises ``ValueError`` for a nerve the mechanics model does not cover
        (its registry entry has ``mechanics: false``).
        """
        name = self._registry.nerve(nerve).name
        if not self._registry[name].mechanics:
            modelled = [n for n in self.nerves if self._registry[n].mechanics]
            raise ValueError(
                f"nerve mechanics is not modelled for the {name} nerve: its sliding interface and slack "
                f"have no sourced parameters; bed length and contributions are; mechanics covers "
                f"{', '.join(modelled) or 'no nerve'}")
        if name not in self._mech:
            from ..mechanics.nerve import nerve_mechanics
            ref = None if self.reference is REFERENCE else self.reference   # None: the model's kept reference
            with _reg.using(self._registry):     # the registry this state was computed in
                self._mech[name] = nerve_mechanics(self.posture, ref, body=self.body)
        return self._mech[name]

    def _check(self, name: Any, kind: str | None = None) -> str:
        return self._registry.check(name, kind).name


def compute(posture: Any, *, body: Body | None = None, view: str | None = None,
            reference: Any = None, structures: Iterable[str] | None = None) -> State:
    """The state of ``posture``: every structure's length and per-joint contributions, and the drawing.

    ``posture``: a :class:`~neuralsim.Posture`, a mapping joint -> degrees or an
    array ``S + (8,)``.  ``reference``: default the anatomical position; it may
    broadcast against ``posture``.  ``view``: one of
    :data:`neuralsim.geometry.VIEWS` to include the drawing coordinates (a single
    posture only); ``None`` skips the drawing (the cheap path).  The nerve
    mechanics is computed on first call of :meth:`State.mechanics`.
    ``structures``: names of the nerves and muscles to compute (default every
    one of the registry); lengths, contributions and drawing then hold those
    only.  The reference's crossing changes are kept per registry, body and
    structure when the reference is the anatomical position (they never change).
    """
    b = _body(body)
    p = as_posture(posture)
    ref = REFERENCE if reference is None else as_posture(reference)
    if ref is REFERENCE and not p.shape:     # one posture against the anatomical position (the explorer)
        angles, ref_angles = angle_array(p, b.mobility), _reference_angles(b.mobility)
        for a in angles.values():
            a.flags.writeable = False
    else:
        angles, ref_angles = angle_arrays(p, ref, b.mobility)
    shape = np.broadcast_shapes(p.shape, ref.shape)
    reg = _reg.current()
    names = tuple(reg) if structures is None else _names(reg, structures)
    anatomical = ref is REFERENCE and not p.shape      # a single posture against the anatomical position
    lengths, ref_lengths, contrib = {}, {}, {}
    for name in names:
        path = reg.pathway(name, b)
        now = path.deltas(angles)                                  # each crossing's change, once
        if anatomical:
            was, ref_lengths[name] = _reference_of(reg, name, b, ref_angles)
        else:
            was = path.deltas(ref_angles)
            ref_lengths[name] = _result(path.length_of(was))
        lengths[name] = _result(path.length_of(now))
        contrib[name] = MappingProxyType(_contributions_of(now, was, angles, ref_angles, shape))
    if shape:                        # one posture: plain numbers, and its angles are read-only already
        for v in (*lengths.values(), *ref_lengths.values(), *angles.values(),
                  *(x for c in contrib.values() for x in c.values())):
            read_only(v)             # the state is immutable: its arrays too
    d = None
    if view is not None:
        if shape:                  # the reference counts: a drawing is of one posture against one reference
            raise ValueError(f"drawing needs a single posture and reference, got posture shape {p.shape} "
                             f"and reference shape {ref.shape}")
        d = MappingProxyType(read_only(drawing(p, b, view, angles={j: float(a) for j, a in angles.items()},
                                               structures=None if structures is None else names)))
    groups = _groups(reg)
    return State(
        posture=p, reference=ref, body=b, view=view, angles=MappingProxyType(angles),
        lengths_mm=MappingProxyType(lengths), reference_mm=MappingProxyType(ref_lengths),
        contributions_mm=MappingProxyType(contrib), drawing=d, nerves=tuple(reg.nerves),
        muscles=tuple(reg.muscles), groups=groups, _registry=reg,
    )


#: (registry, structures asked for) -> the names :func:`_names` checked (the explorer asks for
#: the same tuple on every key press); each entry holds its registry: an id is never reused.
_NAMES: dict = {}


def _names(reg, structures: Iterable[str]) -> tuple[str, ...]:
    """The structures asked for, checked against the registry, in registry order, each once."""
    key = ((id(reg), structures) if type(structures) is tuple and all(type(n) is str for n in structures)
           else None)
    got = _NAMES.get(key) if key is not None else None
    if got is not None and got[0] is reg:
        return got[1]
    names = _check_names(reg, structures)
    if key is not None:
        if len(_NAMES) > 256:
            _NAMES.clear()
        _NAMES[key] = (reg, names)
    return names


def _groups(reg) -> Mapping[str, tuple[str, ...]]:
    """Muscle group -> names, for the state (read-only; worked out once per registry)."""
    got = _GROUPS.get(id(reg))
    if got is None or got[0] is not reg:
        if len(_GROUPS) > 64:
            _GROUPS.clear()
        got = _GROUPS[id(reg)] = (reg, MappingProxyType({g: reg.group(g) for g in reg.groups}))
    return got[1]


_GROUPS: dict = {}


def _check_names(reg, structures: Iterable[str]) -> tuple[str, ...]:
    if isinstance(structures, str):
        structures = (structures,)
    try:
        structures = list(structures)
    except TypeError:
        raise TypeError(f"structures: {structures!r} is not a name or a list of names; "
                        f"choose from {', '.join(reg)}") from None
    if not structures:
        raise ValueError(f"structures: an empty list computes nothing; name at least one of {', '.join(reg)} "
                         "(or leave it out for all of them)")
    want = {reg.check(n).name for n in structures}
    return tuple(n for n in reg if n in want)



@lru_cache(maxsize=None)
def _reference_angles(mobility: str) -> Mapping:
    """The anatomical position's checked angles (joint -> read-only 0-d array, deg) for ``mobility``."""
    ref = angle_array(REFERENCE, mobility)
    for a in ref.values():
        a.flags.writeable = False
    return MappingProxyType(ref)


#: (registry, structure, body) -> the crossing changes (mm) and length (mm) in the anatomical
#: position, for single postures: they never change, so each is computed once.
_REF_CACHE: dict = {}


def _reference_of(reg, name: str, body: Body, ref_angles: Mapping) -> tuple[Mapping, Any]:
    key = (id(reg), name, body)
    got = _REF_CACHE.get(key)
    if got is None or got[0] is not reg:        # the entry holds its registry: an id is never reused
        if len(_REF_CACHE) > 512:
            _REF_CACHE.clear()
        path = reg.pathway(name, body)
        was = path.deltas(ref_angles)
        got = _REF_CACHE[key] = (reg, MappingProxyType(was), _result(path.length_of(was)))
    return got[1], got[2]
