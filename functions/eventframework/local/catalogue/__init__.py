"""Tooling for the catalogue of sources: a new source's scaffold and the generated docs/sources.md."""
