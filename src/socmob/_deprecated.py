"""Old spellings of the public API, kept for one release: each still works, warns with a
:class:`DeprecationWarning` and says what to write instead (see ``CHANGELOG.md``).

- :func:`coverage_keyword` — a function whose interval level is now ``alpha`` also
  accepts its old keyword (``confidence=0.95`` or ``level=0.95``: the coverage), as
  ``alpha = 1 − coverage``. The function's signature shows ``alpha`` only.
- :func:`renamed` — a module ``__getattr__`` that answers an old name with the object
  now called by the new one.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def coverage_keyword(*old: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a function taking ``alpha`` so that it also accepts the keyword(s)
    ``old`` giving the coverage (``confidence=0.95`` means ``alpha=0.05``), with a
    :class:`DeprecationWarning`."""

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            for name in old:
                if name not in kwargs:
                    continue
                coverage = kwargs.pop(name)
                warnings.warn(
                    f"{func.__qualname__}({name}=...) is deprecated: give the interval "
                    f"level as alpha (alpha=1 - {name}, e.g. alpha=0.05 for {name}=0.95)",
                    DeprecationWarning, stacklevel=2)
                if "alpha" in kwargs:
                    raise TypeError(f"{func.__qualname__}() got both alpha and {name}")
                kwargs["alpha"] = 1 - float(coverage)  # type: ignore[arg-type]
            return func(*args, **kwargs)

        return wrapper

    return decorate


def renamed(module: str, names: Mapping[str, str], namespace: Mapping[str, Any]
            ) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module`` answering each old name in ``names``
    (old → new) with ``namespace[new]`` and a :class:`DeprecationWarning`."""

    def module_getattr(name: str) -> Any:
        if name in names:
            new = names[name]
            warnings.warn(f"{module}.{name} is deprecated: use {module}.{new}",
                          DeprecationWarning, stacklevel=2)
            return namespace[new]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return module_getattr


__all__ = ["coverage_keyword", "renamed"]
