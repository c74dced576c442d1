"""Comparing the JSON documents two engines (or two runs) print."""

from __future__ import annotations

from typing import Any

import pytest


def assert_same_json(a: Any, b: Any, path: str = "") -> None:
    """Equal JSON documents: the same keys and lengths, numbers to 1e-9 relative (NaN
    equal to NaN), everything else exactly; ``path`` names where they differ."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_same_json(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_json(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, (int, float)):
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12, nan_ok=True), path
    else:
        assert a == b, path
