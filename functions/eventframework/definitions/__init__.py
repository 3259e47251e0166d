"""Source definitions: the YAML files under sources/, validated on load into frozen dataclasses."""

from __future__ import annotations

from eventframework.definitions.auth_keys import AuthSpec, AuthType
from eventframework.definitions.errors import DefinitionError, Problem
from eventframework.definitions.loader import list_sources, load_source, load_source_file
from eventframework.definitions.locations import schemas_dir, sources_dir
from eventframework.definitions.model import (
    SEVERITIES,
    CursorSpec,
    CursorType,
    MappingSpec,
    MonitoringSpec,
    RateLimitSpec,
    RequestSpec,
    SourceDefinition,
    ValueKind,
    ValueSpec,
)
from eventframework.definitions.pagination_keys import PaginationSpec, PaginationType

__all__ = [
    "SEVERITIES",
    "AuthSpec",
    "AuthType",
    "CursorSpec",
    "CursorType",
    "DefinitionError",
    "MappingSpec",
    "MonitoringSpec",
    "PaginationSpec",
    "PaginationType",
    "Problem",
    "RateLimitSpec",
    "RequestSpec",
    "SourceDefinition",
    "ValueKind",
    "ValueSpec",
    "list_sources",
    "load_source",
    "load_source_file",
    "schemas_dir",
    "sources_dir",
]
