"""Text normalisation shared by every lookup that must tolerate real-world spelling:
area names, survey answers, category labels.

``normalise("  St. Helens ")`` and ``normalise("st helens")`` are equal; apostrophes,
dashes and ampersands are unified so that "I don’t wish to answer" matches "I don't wish
to answer".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u2032`\u00b4"), "'")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: object) -> str:
    """Lower-case ``text``, strip accents, turn ``&`` into ``and``, drop apostrophes and
    replace every other run of punctuation or white space by one space."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    s = s.translate(_APOSTROPHES).translate(_DASHES).lower().replace("&", " and ")
    s = s.replace("'", "")
    return _NON_WORD.sub(" ", s).strip()


def closest(query: str, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``choices`` closest to ``query`` after normalisation, best first
    (for "did you mean" hints). Returns the original spellings."""
    by_norm: dict[str, str] = {}
    for choice in choices:
        by_norm.setdefault(normalise(choice), choice)
    hits = difflib.get_close_matches(normalise(query), list(by_norm), n=n, cutoff=cutoff)
    return [by_norm[h] for h in hits]


def did_you_mean(query: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"; did you mean 'X'?"`` for the closest of ``choices``, or ``""`` when none is
    close — the tail of a one-line error message."""
    hits = closest(query, choices, n=1, cutoff=cutoff)
    return f"; did you mean {hits[0]!r}?" if hits else ""


def describe_unknown(unknown: Mapping[str, int], choices: Sequence[str], *,
                     cutoff: float = 0.6, limit: int = 10) -> str:
    """List unrecognised values with the row each was first seen on and the closest
    choice: ``"'Proffesional' (row 3) ~ 'Professional'?; 'xx' (row 9) and 4 more"``."""
    parts = []
    for raw, row in list(unknown.items())[:limit]:
        hint = closest(raw, choices, n=1, cutoff=cutoff)
        parts.append(f"{raw!r} (row {row})" + (f" ~ {hint[0]!r}?" if hint else ""))
    more = f" and {len(unknown) - limit} more" if len(unknown) > limit else ""
    return "; ".join(parts) + more


__all__ = ["closest", "describe_unknown", "did_you_mean", "normalise"]
