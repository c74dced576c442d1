"""Negative impacts, flagged: who loses, which gaps widen.

A policy meant to help some places or people can leave others worse off — directly (a
value falls), relatively (a rank falls because others gain; a z-score falls because the
average it is measured from rises) or in the gaps it was meant to close. Every impact
section raises :class:`Flag` records for what an impact assessment must not miss; the
assessment lists them together (:attr:`socmob.assess.Assessment.flags`).

Kinds:

* ``score falls`` — a unit's index score falls (``direct``: its own values moved the
  unfavourable way; ``construction``: the index is built differently; ``relative``: its
  own values did not change, the scale did);
* ``rank falls`` — a unit is overtaken (a relative loss, even if its score did not move);
* ``band falls`` / ``band risk`` — the unit drops a band, or does so in at least
  :data:`BAND_RISK` of the Monte Carlo runs;
* ``group loses`` — a nation or region whose units lose on average;
* ``gap widens`` — the gap between the top and bottom fifth of units, their spread, or a
  gap between backgrounds grows;
* ``mobility falls`` — an income-mobility measure moves towards less mobility.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

#: Probability of dropping a band (paired runs) above which a unit is flagged.
BAND_RISK = 0.10

#: Changes smaller than this (in the measure's units) are floating-point noise, not impacts.
TOLERANCE = 1e-9

FLAG_COLUMNS = ["section", "kind", "index_code", "where", "value", "text"]

#: The order flags are listed in: what a reader must see first.
FLAG_ORDER: tuple[str, ...] = (
    "gap widens", "group loses", "mobility falls", "band falls", "score falls (direct)",
    "score falls (construction)", "score falls (relative)", "band risk", "rank falls")


@dataclass(frozen=True)
class Flag:
    """One negative impact: the section that found it (``place``, ``background``,
    ``income``), its kind (module docstring), the index (if any), where (a unit, group or
    measure), the size of the loss and a sentence saying it."""

    section: str
    kind: str
    where: str
    text: str
    value: float = float("nan")
    index_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "kind": self.kind, "index_code": self.index_code,
                "where": self.where, "value": self.value, "text": self.text}


def ordered(flags: list[Flag] | tuple[Flag, ...]) -> tuple[Flag, ...]:
    """Flags in :data:`FLAG_ORDER`, the largest first within a kind."""
    rank = {k: i for i, k in enumerate(FLAG_ORDER)}
    return tuple(sorted(flags, key=lambda f: (rank.get(f.kind, len(rank)),
                                              -abs(f.value) if f.value == f.value else 0.0)))


def flags_frame(flags: tuple[Flag, ...] | list[Flag]) -> pd.DataFrame:
    """The flags as a table (:data:`FLAG_COLUMNS`)."""
    return pd.DataFrame([f.to_dict() for f in flags], columns=FLAG_COLUMNS)


__all__ = ["BAND_RISK", "FLAG_COLUMNS", "FLAG_ORDER", "TOLERANCE", "Flag", "flags_frame",
           "ordered"]
