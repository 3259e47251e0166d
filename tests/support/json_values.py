"""Hypothesis strategies for the JSON values vendors send (what ``json.loads`` can return, big
integers and awkward floats included), shared by the fast-path equivalence tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)


def json_values(max_leaves: int = 24) -> st.SearchStrategy[Any]:
    """Objects, lists and scalars nested up to ``max_leaves`` leaves."""
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=max_leaves,
    )
