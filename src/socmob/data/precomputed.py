"""Analyses of the embedded data computed at data build and shipped beside it.

The every-area analyses the dashboard shows (rank uncertainty, Getis–Ord hot spots,
better/worse than expected, trends, peers) are deterministic — seeded — functions of the
packaged data and of socmob's analysis choices. ``scripts/build_default_data.py
--analyses-only`` computes them once with the library (``socmob.report.adapters``
lists the calls) and writes each tidy result here, as Parquet, under ``analyses/``, with a
manifest naming the **key** they were made under: a hash of the socmob version, of the
input data files (composites, registry, area boundaries) and of the analysis options
(``socmob.place.defaults``).

A reader asks for an analysis with the key of its own options (:func:`analysis_key`);
a shipped result is returned only when the keys match, so a change of data, of options
or of socmob's version can never serve a stale answer — the caller then computes it
afresh (and the test suite says the shipped files need rebuilding). This module only
reads and writes files: it computes no statistic.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from socmob import __version__

__all__ = [
    "ANALYSES_DIR",
    "INPUT_FILES",
    "analyses_dir",
    "analysis_key",
    "load_analysis",
    "manifest",
    "write_analyses",
]

ANALYSES_DIR = "analyses"
MANIFEST = "manifest.json"

#: The packaged files the shipped analyses are computed from.
INPUT_FILES: tuple[str, ...] = ("composites.parquet", "registry.parquet",
                                "boundaries_areas.parquet")


def analyses_dir() -> Path:
    """The folder of the shipped analyses (inside the packaged data)."""
    from socmob.data import data_dir

    return data_dir() / ANALYSES_DIR


@cache
def _input_digest() -> str:
    from socmob.data import data_dir

    digest = hashlib.sha256()
    for name in INPUT_FILES:
        path = data_dir() / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def analysis_key(options: Mapping[str, Any]) -> str:
    """The key of analyses made with ``options`` (the analysis choices, e.g. the public
    values of ``socmob.place.defaults``) from the packaged data by this socmob version."""
    text = json.dumps({str(k): options[k] for k in sorted(options)}, sort_keys=True,
                      default=repr)
    digest = hashlib.sha256(f"{__version__}\0{_input_digest()}\0{text}".encode())
    return digest.hexdigest()[:32]


def manifest() -> dict[str, Any]:
    """The shipped analyses: ``{"key": …, "analyses": {"<name>_<edition>": rows}}``
    (empty when none are shipped)."""
    path = analyses_dir() / MANIFEST
    if not path.is_file():
        return {}
    value: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return value


def _file(name: str, edition: int) -> str:
    return f"{name}_{edition}.parquet"


def load_analysis(name: str, edition: int, *, key: str) -> pd.DataFrame | None:
    """The shipped result ``name`` of ``edition`` as made under ``key``; ``None`` when
    none is shipped or it was made under another key (a fresh frame each call)."""
    found = manifest()
    if found.get("key") != key or _file(name, edition) not in found.get("analyses", {}):
        return None
    return pd.read_parquet(analyses_dir() / _file(name, edition))


def write_analyses(frames: Mapping[tuple[str, int], pd.DataFrame], *, key: str,
                   out: Path | None = None) -> Path:
    """Write ``frames`` (``(name, edition)`` → tidy result) and their manifest into
    ``out`` (default :func:`analyses_dir`), replacing what was there all at once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = out or analyses_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    tmp.chmod(0o755)
    try:
        rows: dict[str, int] = {}
        for (name, edition), frame in sorted(frames.items()):
            table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
            pq.write_table(table, tmp / _file(name, edition),
                           row_group_size=max(len(frame), 1), compression="zstd",
                           compression_level=9)
            rows[_file(name, edition)] = len(frame)
        (tmp / MANIFEST).write_text(json.dumps(
            {"key": key, "socmob": __version__, "analyses": rows}, indent=1,
            sort_keys=True) + "\n", encoding="utf-8")
        old = target.with_name(f".{target.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _input_digest.cache_clear()
    return target
