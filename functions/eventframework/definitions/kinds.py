"""Kinds of a definition block (``pagination.type``, ``auth.type``, ``webhook.auth.type``), each
declared once with its keys.

A :class:`Kind` names its type, what it exists for (the vendors that need it) and the keys it takes;
a :class:`Key` carries its JSON Schema fragment, what it means for that kind, whether that kind
requires it, and a default where it differs by kind. A :class:`KindFamily` gathers a block's kinds
(``pagination_keys.PAGINATION``, ``auth_keys.AUTH``, ``webhook_auth_keys.WEBHOOK_AUTH``) and derives
from them everything that used to be written by hand beside them:

- the block's JSON Schema (:meth:`KindFamily.schema`): the ``type`` enum, one property per key, the
  keys each kind requires, and a rule per key refusing it on a type that does not use it, which
  ``definitions.messages`` words with the types that do (a ``cursor_header`` on a ``link_header``
  pagination is an error, never a setting silently ignored);
- the loader's spec (:meth:`KindFamily.build`): the keys present in the block, set on the spec's
  fields, and the kind's own defaults. Any other default is the spec dataclass's field default, so
  it is written once; the schema shows it as ``default``;
- the behaviour registries above (``fetch``'s ``PAGINATION_KINDS`` and ``AUTH_KINDS``,
  ``webhooks``' ``VERIFIERS``) stay typed dicts keyed by the same enums (they sit above
  definitions, never the other way round); a test holds declarations, enums, spec fields and
  registries to the same kinds.

The checked-in ``schemas/source-definition.schema.json`` stays what editors, users, the loader and
the Lambda bundle read. Its kind entries are generated from these declarations by `efw schema sync`,
and a test fails, naming that command, when the file is stale. Composing the schema in memory at
load time was the alternative; it would let the file people read drift from the rules that are
enforced, and the generated file costs one command.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from enum import Enum, StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from eventframework.errors import EventFrameworkError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

K = TypeVar("K", bound=StrEnum)


class _Default(Enum):
    SPEC = "spec"


SPEC_DEFAULT = _Default.SPEC  # a key's default is the spec field's (unless a kind gives its own)

S = TypeVar("S", bound="DataclassInstance")


@dataclass(frozen=True)
class Key:
    """One key of a kind. ``schema`` is its JSON Schema fragment, the same for every kind that takes
    the key (the spec has one field for it); ``description`` what it means for this kind. ``field``
    is the spec's attribute when it differs from the key (``in`` -> ``cursor_in``); ``convert``
    shapes the YAML value for the spec; ``default`` is set only where it differs by kind."""

    name: str
    schema: Mapping[str, Any]
    description: str = ""
    required: bool = False
    field: str = ""
    convert: Callable[[Any], Any] | None = None
    default: Any = SPEC_DEFAULT

    @property
    def attribute(self) -> str:
        return self.field or self.name

    def means(self, description: str, *, required: bool = False, default: Any = SPEC_DEFAULT) -> Key:
        """This key as one kind takes it: what it means there, whether that kind requires it, and
        the kind's own default when it differs by kind (webhook signature headers); otherwise the
        spec field's default applies."""
        return replace(self, description=description, required=required, default=default)


@dataclass(frozen=True)
class Kind(Generic[K]):
    """One kind: its ``type``, what it exists for (the vendors that need it) and its keys."""

    type: K
    description: str
    keys: tuple[Key, ...] = ()

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)


def _shape(key: Key) -> tuple[Any, ...]:
    """What every kind taking a key must agree on: its schema, its spec field, its conversion."""
    return (key.schema, key.attribute, key.convert)


class KindDeclarationError(EventFrameworkError):
    """Declarations of one block contradict each other (a programming error, raised at import):
    ``block`` and ``key`` (or type) say where, the message what."""

    def __init__(self, block: str, key: str, problem: str) -> None:
        self.block = block
        self.key = key
        super().__init__(f"{block}.{key}: {problem}")


@dataclass(frozen=True)
class KindFamily(Generic[K, S]):
    """The kinds of one block (``pagination``, ``auth``) and the spec dataclass they build."""

    block: str
    spec: type[S]
    description: str
    kinds: tuple[Kind[K], ...]

    def __post_init__(self) -> None:
        attributes = {f.name for f in fields(self.spec)}
        if len(self.by_type) != len(self.kinds):
            raise KindDeclarationError(self.block, "type", "a type is declared twice")
        for kind in self.kinds:
            if len(set(kind.key_names)) != len(kind.keys):
                raise KindDeclarationError(self.block, kind.type.value, "a key is declared twice")
            for key in kind.keys:
                shared = self.keys[key.name]
                if key.attribute not in attributes:
                    raise KindDeclarationError(
                        self.block, key.name, f"{self.spec.__name__} has no such field"
                    )
                if _shape(key) != _shape(shared):
                    raise KindDeclarationError(self.block, key.name, "kinds declare it differently")

    @cached_property
    def keys(self) -> dict[str, Key]:
        """Every key of the block, by name, as first declared (in declaration order)."""
        found: dict[str, Key] = {}
        for kind in self.kinds:
            for key in kind.keys:
                found.setdefault(key.name, key)
        return found

    @cached_property
    def by_type(self) -> dict[str, Kind[K]]:
        return {kind.type.value: kind for kind in self.kinds}

    def takers(self, name: str) -> list[Kind[K]]:
        """The kinds that take the key ``name``."""
        return [kind for kind in self.kinds if name in kind.key_names]

    def default(self, key: Key) -> Any:
        """The default of ``key`` as a kind takes it: its own, else the spec's (``None`` if neither)."""
        return self.spec_default(key.attribute) if key.default is SPEC_DEFAULT else key.default

    def spec_default(self, attribute: str) -> Any:
        """The spec field's default (``None`` when it has none): what a kind not taking the key gets."""
        spec_field = next(f for f in fields(self.spec) if f.name == attribute)
        if spec_field.default_factory is not MISSING:
            return spec_field.default_factory()
        return None if spec_field.default is MISSING else spec_field.default

    def build(self, block: Mapping[str, Any]) -> S:
        """The spec of a validated block: its kind's keys that are present, the spec's defaults else."""
        kind = self.by_type[block["type"]]
        values = {
            key.attribute: key.convert(block[key.name]) if key.convert else block[key.name]
            for key in kind.keys
            if key.name in block
        }
        values |= {
            key.attribute: key.default
            for key in kind.keys
            if key.name not in block and key.default is not SPEC_DEFAULT
        }
        return self.spec(type=kind.type, **values)  # type: ignore[call-arg]  # the spec's own fields

    def schema(self) -> dict[str, Any]:
        """The block's JSON Schema, as `efw schema sync` writes it into the definition schema."""
        properties: dict[str, Any] = {
            "type": {
                "enum": [kind.type.value for kind in self.kinds],
                "description": "; ".join(f"{kind.type.value}: {kind.description}" for kind in self.kinds),
            }
        }
        for name, key in self.keys.items():
            properties[name] = self._property(key)
        schema: dict[str, Any] = {
            "type": "object",
            "description": self.description,
            "additionalProperties": False,
            "required": ["type"],
            "properties": properties,
        }
        only_with = {
            name: self._only_with(name) for name in self.keys if len(self.takers(name)) < len(self.kinds)
        }
        if only_with:
            schema["dependentSchemas"] = only_with
        rules = [self._required(kind) for kind in self.kinds if any(key.required for key in kind.keys)]
        if rules:
            schema["allOf"] = rules
        return schema

    def _property(self, key: Key) -> dict[str, Any]:
        taken = [(kind, next(k for k in kind.keys if k.name == key.name)) for kind in self.takers(key.name)]
        defaults = [self.default(as_taken) for _, as_taken in taken]
        shared = all(default == defaults[0] for default in defaults)
        meanings: dict[str, list[str]] = {}
        for (kind, as_taken), default in zip(taken, defaults, strict=True):
            own = "" if shared or default is None else f" (default {json.dumps(default)})"
            meanings.setdefault(as_taken.description + own, []).append(kind.type.value)
        prop = dict(key.schema)
        if shared and defaults[0] is not None and not all(as_taken.required for _, as_taken in taken):
            prop["default"] = defaults[0]
        if len(meanings) == 1 and len(taken) == len(self.kinds):  # every kind, one meaning
            prop["description"] = next(iter(meanings))
        else:
            prop["description"] = "; ".join(f"{', '.join(types)}: {text}" for text, types in meanings.items())
        return prop

    def _only_with(self, name: str) -> dict[str, Any]:
        """Present, the key ``name`` refuses every type that does not use it; ``examples`` names the
        types that do (``definitions.messages`` words the refusal from exactly this shape)."""
        takers = [kind.type.value for kind in self.takers(name)]
        others = [kind.type.value for kind in self.kinds if kind.type.value not in takers]
        return {"properties": {"type": {"not": {"enum": others}, "examples": takers}}}

    @staticmethod
    def _required(kind: Kind[K]) -> dict[str, Any]:
        """The keys ``kind`` requires, each with what it means there (the fix of a missing one)."""
        required = [key for key in kind.keys if key.required]
        return {
            "if": {"properties": {"type": {"const": kind.type.value}}, "required": ["type"]},
            "then": {
                "required": [key.name for key in required],
                "properties": {key.name: {"description": key.description} for key in required},
            },
        }
