"""A YAML document read with the line of every key, so that a problem in a scenario can
name the key and the line it is on.

The document is read by :func:`socmob.io.read_yaml` (UTF-8 only, bounded in size and in
expanded size, parsed with a safe loader); its text is then *composed* (not constructed)
by PyYAML to learn where each key and list item starts. Key paths are tuples of mapping
keys and list positions (``("place", "changes", 0, "target")``); they print as
``place.changes[1].target`` (list items counted from 1, as a person counts them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socmob.errors import InputError

Path_ = tuple[str | int, ...]


def key_text(path: Path_) -> str:
    """``("place", "changes", 0, "add")`` → ``"place.changes[1].add"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(the document)"


@dataclass(frozen=True)
class Located:
    """A parsed document with the line (1-based) of every key path and the duplicated
    keys PyYAML would otherwise drop silently (the last value wins)."""

    value: Any
    file: str
    lines: Mapping[Path_, int] = field(default_factory=dict)
    duplicates: tuple[tuple[Path_, int], ...] = ()

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


def _walk(node: Any, path: Path_, lines: dict[Path_, int],
          duplicates: list[tuple[Path_, int]], seen: set[int]) -> None:
    import yaml

    if id(node) in seen:  # an alias repeats a node: its lines are those of the anchor
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = (*path, key)
            line = key_node.start_mark.line + 1
            if key in keys:
                duplicates.append((here, line))
            keys.add(key)
            lines.setdefault(here, line)
            _walk(value_node, here, lines, duplicates, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            here = (*path, i)
            lines.setdefault(here, item.start_mark.line + 1)
            _walk(item, here, lines, duplicates, seen)


def read_located(source: str | os.PathLike[str] | bytes, *, name: str | None = None,
                 what: str = "scenario file") -> Located:
    """Read a YAML (or JSON) document with the line of every key.

    Raises
    ------
    InputError
        What :func:`socmob.io.read_yaml` refuses: a missing, too large, non-UTF-8 or
        malformed file (naming line and character); and a file with no document at all
        (empty, or only comments).
    """
    import yaml

    from socmob.io import read_yaml

    if isinstance(source, bytes):
        data = source
        file = name or "<upload>"
    else:
        file = name or os.fspath(source)
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{what} not found", file=file, expected="an existing file")
        data = None
    value = read_yaml(source if data is None else data, name=file, what=what)
    if value is None:  # an empty file, or only comments: more likely a slip than a choice
        raise InputError(f"the {what} holds no document", file=file,
                         expected="a mapping such as 'name: …' with 'place', 'background' "
                                  "or 'income' ('{}' for a scenario that changes nothing)")
    if data is None:
        data = Path(source).read_bytes()  # type: ignore[arg-type]
    text = data.decode("utf-8-sig")
    lines: dict[Path_, int] = {}
    duplicates: list[tuple[Path_, int]] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root = yaml.compose(text, Loader=loader)
    if root is not None:
        lines[()] = root.start_mark.line + 1
        _walk(root, (), lines, duplicates, set())
    return Located(value=value, file=file, lines=lines, duplicates=tuple(duplicates))


def plain(value: Any, file: str = "<request>") -> Located:
    """A document given as Python data (a JSON request body): no line numbers."""
    return Located(value=value, file=file)


def walk_paths(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (key path, value) of a plain document, depth first."""
    yield path, value
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from walk_paths(v, (*path, str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_paths(v, (*path, i))


__all__ = ["Located", "key_text", "plain", "read_located", "walk_paths"]
