"""YAML and JSON documents (mappings, answers, settings): UTF-8 only, bounded in size and
in expanded size, parsed safely."""

from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path
from typing import Any

from socmob.errors import InputError
from socmob.io._formats import file_name

MAX_DOCUMENT_BYTES = 1_000_000
"""Largest YAML/JSON document read (1 MB: mappings and answers are a few kB)."""

MAX_DOCUMENT_NODES = 100_000
"""Most values a document may expand to (YAML aliases repeat a node without repeating
its text; a "billion laughs" document is small on disk and huge in memory)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _load_bytes(source: str | os.PathLike[str] | bytes, *, file: str, what: str,
                max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{what} not found", file=file, expected="an existing file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"the {what} is {size:,} bytes, more than the {max_bytes:,} "
                             "allowed", file=file, expected=f"a {what} under {max_bytes:,} bytes")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the {what} ({exc.strerror or exc})", file=file,
                             ) from None
    if len(data) > max_bytes:
        raise InputError(f"the {what} is {len(data):,} bytes, more than the {max_bytes:,} "
                         "allowed", file=file, expected=f"a {what} under {max_bytes:,} bytes")
    return data


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def utf8_text(data: bytes, *, file: str, what: str) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark allowed), or an error naming the line
    and character position of the first byte that is not UTF-8."""
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"the {what} is UTF-16 text", file=file,
                         expected=f"a {what} saved as UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(body.decode("utf-8", "replace"), len(
            body[:exc.start].decode("utf-8", "replace")))
        raise InputError(f"line {line}, character {col}: byte "
                         f"{body[exc.start:exc.start + 1]!r} is not UTF-8 (the {what} looks "
                         "like Latin-1/Windows text or a binary file)", file=file,
                         expected=f"a {what} saved as UTF-8") from None
    bad = _CONTROL.search(text)
    if bad is not None:
        line, col = _position(text, bad.start())
        raise InputError(f"line {line}, character {col}: control character "
                         f"{bad.group()!r} (the {what} looks like a binary file)", file=file,
                         expected=f"a {what} saved as UTF-8 text")
    return text


def _check_expansion(value: Any, *, file: str, what: str, budget: int) -> None:
    stack = [value]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            raise InputError(f"the {what} expands to more than {budget:,} values (YAML "
                             "aliases repeating large nodes?)", file=file,
                             expected=f"a small {what}")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)


def read_yaml(source: str | os.PathLike[str] | bytes, *, name: str | None = None,
              what: str = "YAML file", max_bytes: int = MAX_DOCUMENT_BYTES,
              max_nodes: int = MAX_DOCUMENT_NODES) -> Any:
    """Parse a YAML document with ``yaml.safe_load`` (no Python objects, ever).

    Parameters
    ----------
    source:
        A path, or the document's bytes (an upload) with ``name``.
    what:
        What the document is, for messages ("mapping file", "answers file").
    max_bytes, max_nodes:
        Bounds on the document's size on disk and once aliases are expanded.

    Raises
    ------
    InputError
        the file is missing, too large, not UTF-8 (naming line and character), not
        valid YAML (naming line and character), or expands too far.
    """
    import yaml

    file = file_name(source, name)
    text = utf8_text(_load_bytes(source, file=file, what=what, max_bytes=max_bytes),
                     file=file, what=what)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        value = yaml.load(text, Loader=loader)  # a safe loader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, character {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{where}not valid YAML ({problem})", file=file,
                         expected=f"a {what} in YAML") from None
    except RecursionError:
        raise InputError("the YAML is nested too deeply", file=file,
                         expected=f"a {what} in YAML") from None
    _check_expansion(value, file=file, what=what, budget=max_nodes)
    return value


def read_json(source: str | os.PathLike[str] | bytes, *, name: str | None = None,
              what: str = "JSON file", max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Parse a JSON document (UTF-8, bounded), errors naming line and character."""
    file = file_name(source, name)
    text = utf8_text(_load_bytes(source, file=file, what=what, max_bytes=max_bytes),
                     file=file, what=what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {exc.lineno}, character {exc.colno}: not valid JSON "
                         f"({exc.msg})", file=file, expected=f"a {what} in JSON") from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply", file=file,
                         expected=f"a {what} in JSON") from None


def read_document(source: str | os.PathLike[str] | bytes, *, name: str | None = None,
                  what: str = "document", max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """A YAML or JSON document, chosen by the suffix (``.json`` → JSON, else YAML; JSON
    is also valid YAML)."""
    file = file_name(source, name)
    if file.lower().endswith(".json"):
        return read_json(source, name=name, what=what, max_bytes=max_bytes)
    return read_yaml(source, name=name, what=what, max_bytes=max_bytes)


__all__ = ["MAX_DOCUMENT_BYTES", "MAX_DOCUMENT_NODES", "read_document", "read_json",
           "read_yaml", "utf8_text"]
