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

#: Apostrophe-like characters, removed so that "don’t", "don't" and "don`t" agree:
#: right/left single quotes, the reversed quote, prime, grave and acute accents, the
#: modifier-letter apostrophe and turned comma, and the fullwidth apostrophe.
APOSTROPHES = "'\u2018\u2019\u201b\u2032\u0060\u00b4\u02bc\u02bb\uff07"
#: Dash-like characters, read as a word break like "-": hyphen, non-breaking hyphen,
#: figure dash, en and em dashes, horizontal bar, hyphen bullet, minus sign, two- and
#: three-em dashes, small em dash, small and fullwidth hyphen-minus.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
#: Invisible characters dropped outright: soft hyphen, zero-width space and joiners,
#: word joiner and byte-order mark ("Stock\u00adton" is "Stockton").
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_TRANSLATE = str.maketrans({**dict.fromkeys(APOSTROPHES, ""), **dict.fromkeys(DASHES, " "),
                            **dict.fromkeys(_INVISIBLE, ""), "&": " and "})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: object) -> str:
    """Lower-case ``text``, strip accents, turn ``&`` into ``and``, drop apostrophes and
    replace every other run of punctuation or white space (dashes included) by one space.

    Dashes and apostrophes are translated before the accents are folded to ASCII, which
    would otherwise delete the non-ASCII ones: "Stockton–on–Tees" (en dashes),
    "Stockton-on-Tees" and "Stockton on Tees" all give ``"stockton on tees"``. The
    translation runs again after compatibility decomposition (NFKD), which maps e.g. the
    fullwidth hyphen-minus to "-".
    """
    s = str(text).translate(_TRANSLATE)
    s = unicodedata.normalize("NFKD", s).translate(_TRANSLATE)
    s = s.encode("ascii", "ignore").decode("ascii").lower()
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


__all__ = ["APOSTROPHES", "DASHES", "closest", "describe_unknown", "did_you_mean", "normalise"]
