"""The parts of django-rules that wisemind calls, with types.

``rules`` ships ``py.typed`` but leaves ``predicate``, ``set_perm`` and ``has_perm``
unannotated, so strict mypy would make every decorated predicate untyped. The
library's own functions do the work; these wrappers only state their types.
"""

from __future__ import annotations

from collections.abc import Callable

from rules import permissions, predicates
from rules.predicates import Predicate

__all__ = ["Predicate", "has_perm", "predicate", "set_perm"]

# The unannotated library functions, under the types they have.
_predicate: Callable[..., Predicate] = predicates.predicate
_set_perm: Callable[[str, Predicate], None] = permissions.set_perm
_has_perm: Callable[..., bool] = permissions.has_perm


def predicate(fn: Callable[..., bool], name: str | None = None) -> Predicate:
    """``rules.predicate``: ``fn(user)`` or ``fn(user, obj)`` as a predicate to combine."""
    return _predicate(fn, name=name)


def set_perm(name: str, pred: Predicate) -> None:
    """Define (or redefine) the permission ``name`` as ``pred``."""
    _set_perm(name, pred)


def has_perm(name: str, user: object, obj: object = None) -> bool:
    """Whether the permission ``name`` holds for ``user`` (and ``obj``, if given)."""
    return _has_perm(name, user, obj)
