"""Fixtures of the reading-layer tests: ``corrupt`` (builders of good and damaged
files, ``tests/io/corrupt.py``) and ``write``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

_BUILDERS = Path(__file__).with_name("corrupt.py")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("socmob_test_corrupt", _BUILDERS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corrupt() -> ModuleType:
    return _load()


@pytest.fixture(scope="session")
def bomb_bytes(corrupt: ModuleType) -> bytes:
    return corrupt.zip_bomb_xlsx()


@pytest.fixture
def write(tmp_path: Path):
    """``write(name, bytes_or_text)`` → path of a new file in ``tmp_path``."""

    def make(name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return make
