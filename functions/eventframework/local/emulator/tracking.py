"""Keep moto from holding every model instance it ever created, so a long local run stays flat.

moto's ``BaseModel.__new__`` appends every instance (each DynamoDB ``Item`` written, each S3
``FakeKey`` put, each SQS ``Message``...) to its class's ``instances_tracked`` list, for its
``/moto-api/data.json`` dashboard and for the S3 reset, and only a reset empties those lists. A
local pull writes the ledger item (its whole recent-ids window) and the checkpoint once per page, so
every version of them stayed alive: about 130 KB per 1,000-event page, 130 MB over a million events,
although the tables themselves hold one item per key.

:func:`track_weakly` swaps that list for :class:`WeakInstances`, which answers ``append`` and
iteration as the list did but holds each instance weakly: what the backends still reference is
still listed (the dashboard and the S3 reset see every live key), what they dropped is freed. Objects
that cannot be weakly referenced are held as before. Only the embedded emulator installs it; the
deployed functions never import moto.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Any

from moto.core import common_models
from moto.core.model_instances import model_data

_ORIGINAL_NEW = common_models.BaseModel.__new__
_install_lock = threading.Lock()


class WeakInstances:
    """The ``instances_tracked`` of one moto model class, holding its instances weakly, in order."""

    def __init__(self) -> None:
        self._refs: dict[int, weakref.ref[Any]] = {}
        self._strong: list[Any] = []
        self._lock = threading.Lock()

    def append(self, instance: Any) -> None:
        key = id(instance)

        def forget(ref: weakref.ref[Any]) -> None:
            self._forget(key, ref)

        try:
            ref = weakref.ref(instance, forget)
        except TypeError:  # no __weakref__ slot: keep it as moto would
            with self._lock:
                self._strong.append(instance)
            return
        with self._lock:
            self._refs[key] = ref

    def _forget(self, key: int, ref: weakref.ref[Any]) -> None:
        with self._lock:
            if self._refs.get(key) is ref:  # the id may already belong to a newer instance
                del self._refs[key]

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            refs, strong = list(self._refs.values()), list(self._strong)
        live = [instance for instance in (ref() for ref in refs) if instance is not None]
        return iter(live + strong)

    def __len__(self) -> int:
        with self._lock:
            return len(self._refs) + len(self._strong)


def _tracked(cls: type) -> WeakInstances:
    """The class's own weak tracker, replacing the list moto's metaclass or reset gave it."""
    tracker = cls.__dict__.get("instances_tracked")
    if isinstance(tracker, WeakInstances):
        return tracker
    with _install_lock:
        tracker = cls.__dict__.get("instances_tracked")
        if not isinstance(tracker, WeakInstances):
            replacement = WeakInstances()
            for instance in tracker or []:
                replacement.append(instance)
            tracker = replacement
            cls.instances_tracked = tracker  # type: ignore[attr-defined]
    return tracker


def _new_tracked_weakly(cls: Any, *args: Any, **kwargs: Any) -> Any:
    instance = super(common_models.BaseModel, cls).__new__(cls)  # as moto's own __new__ does
    _tracked(cls).append(instance)
    return instance


def track_weakly() -> None:
    """Make every moto model class (already imported or imported later) track its instances weakly.

    Idempotent and process-wide, as moto's own tracking is. A moto reset puts a plain empty list back
    on each class; the next instance created replaces it again.
    """
    common_models.BaseModel.__new__ = staticmethod(_new_tracked_weakly)  # type: ignore[method-assign]
    for models in list(model_data.values()):
        for model in list(models.values()):
            if isinstance(model, type):
                _tracked(model)


def tracks_weakly() -> bool:
    """Whether :func:`track_weakly` is in force (moto's own ``__new__`` was not put back)."""
    return common_models.BaseModel.__new__ is not _ORIGINAL_NEW
