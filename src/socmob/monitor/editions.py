"""What changed between two editions of an indicator: values revised for the same period
and group, points added or dropped, and re-basing told apart from genuine revision.

Points are matched on what they measure — place, breakdown and group (without the time
dimension), unit (one spelling: "Percent" = "Percentage"), age, and the calendar years
covered — so that SoN 2025's ``"2013"`` meets SoN 2026's ``"2012/13"`` and a fixed span
in the period column (``"2014-2024"`` → ``"2014-2025"``) does not hide a match.

**Precision.** A block of values (one breakdown and unit of one edition) is published to
``d`` decimals, the most any of its values shows (a stored ``10.0`` among 2-decimal
values was published as ``10.00``); a value is then known to ``±h = ½·10⁻ᵈ``.

**Same value.** Two published values are the same figure when they are closer than half
a unit in the last decimal place both editions publish (``24.8`` = ``24.83``; ``24.8`` ≠
``24.7``: a revision of one unit in the last place is still a revision).

**Re-basing.** A
pair is consistent with a factor ``f`` when ``f`` lies in ``[(new − h_new)/(old + h_old),
(new + h_new)/(old − h_old)]``. Within one block (a breakdown and unit), when fewer than
half of the pairs are the same and at least :data:`REBASE_SHARE` of them (and at least
:data:`MIN_REBASE_POINTS`) fit the block's median ratio ``f``, the block was
**re-based** — every value moved by one factor, e.g. earnings moved to a new price base
— not revised. Percentages and proportions are never called re-based (a share has no
base to move: a common factor there is a coincidence of small revisions). Pairs that do
not fit the common factor are **revised** beyond the
re-basing; where there is no common factor every changed pair is **revised**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import NotFoundError
from socmob.monitor.metadata import indicator
from socmob.monitor.series import SEP, editions_of, published, unit_key
from socmob.monitor.series import records as _records
from socmob.results import Result, tidy

#: Pairs a block needs before a common factor counts as a re-basing.
MIN_REBASE_POINTS = 5
#: Share of a block's pairs that must fit the common factor (within rounding).
REBASE_SHARE = 0.8

#: Editions compared by default (drivers and intermediate outcomes exist in both).
DEFAULT_EDITIONS: tuple[str, str] = ("son25", "son26")


def decimals(x: float) -> int:
    """Decimal places of a published value as stored (``12.554`` → 3, ``16.0`` → 0)."""
    if not np.isfinite(x):
        return 0
    text = repr(float(x))
    if "e" in text or "E" in text:
        mantissa, exp = text.lower().split("e")
        frac = mantissa.split(".")[1].rstrip("0") if "." in mantissa else ""
        return max(0, len(frac) - int(exp))
    frac = text.split(".")[1].rstrip("0") if "." in text else ""
    return len(frac)


def half_unit(x: float) -> float:
    """Half a unit in the last published decimal place of ``x``."""
    return 0.5 * 10.0 ** (-decimals(x))


def _key_frame(rows: pd.DataFrame) -> pd.DataFrame:
    # rows the analysis cannot use (no value, or SoN 2026's 0 for a year with no data)
    # are not points: an empty value in one edition and a placeholder in the other match
    # nothing
    usable = rows[rows["usable"]].copy()
    usable["block"] = [SEP.join(d) or "total" for d in usable["dims"]]
    usable["group_key"] = [SEP.join(d.values()) or "Total" for d in usable["dims"]]
    usable["unit_key"] = usable["unit"].map(unit_key)
    usable["age_key"] = usable["age"].fillna("")
    usable["place_key"] = usable["place"].fillna("")
    usable["geo_key"] = usable["geography"].fillna("")
    return usable


KEY = ["geo_key", "place_key", "block", "group_key", "unit_key", "age_key", "start", "end"]


@dataclass(frozen=True, eq=False)
class Revisions(Result):
    """Differences between two editions of one indicator.

    ``pairs``: one row per point in both editions (old and new value, difference,
    ``status``: ``unchanged`` / ``re-based`` / ``revised`` / ``now missing`` / ``now
    published``); ``blocks``: one row per breakdown and unit (pairs, re-basing factor,
    counts by status, ``verdict``); ``added`` / ``dropped``: points in only one edition
    (time, place, breakdown, group, value); ``verdict``: one sentence.
    """

    code: str
    old: str
    new: str
    pairs: pd.DataFrame = field(repr=False)
    blocks: pd.DataFrame = field(repr=False)
    added: pd.DataFrame = field(repr=False)
    dropped: pd.DataFrame = field(repr=False)
    verdict: str = ""

    @property
    def revised(self) -> pd.DataFrame:
        """The pairs whose value changed beyond rounding and beyond any re-basing."""
        return self.pairs[self.pairs["status"].isin(["revised", "now missing",
                                                     "now published"])]

    def to_frame(self) -> pd.DataFrame:
        """Every matched pair in the tidy schema (``value`` = new edition, ``old_value``)."""
        p = self.pairs
        return tidy(pd.DataFrame({
            "measure": self.code, "area_name": p["place_key"], "period": p["time"],
            "breakdown": p["block"], "group": p["group_key"], "value": p["new_value"],
            "unit": p["unit_key"], "note": p["status"], "old_value": p["old_value"],
            "difference": p["difference"], "ratio": p["ratio"], "old_edition": self.old,
            "new_edition": self.new}))


def _pair_rows(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame,
                                                              pd.DataFrame]:
    o = _key_frame(old)
    n = _key_frame(new)
    # identical duplicate rows are one point
    o = o.drop_duplicates([*KEY, "value"])
    n = n.drop_duplicates([*KEY, "value"])
    # the age column joins the key only where it tells points apart (MO-style age bands);
    # elsewhere one edition may label the age and the other not (dr15: "21-99" vs none)
    no_age = [k for k in KEY if k != "age_key"]
    needs_age = set(o.loc[o.duplicated(no_age, keep=False), "block"]) | set(
        n.loc[n.duplicated(no_age, keep=False), "block"])
    for frame in (o, n):
        frame.loc[~frame["block"].isin(needs_age), "age_key"] = ""
    o = o.drop_duplicates(KEY)
    n = n.drop_duplicates(KEY)
    merged = o.merge(n, on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    added = merged.loc[merged["_merge"] == "right_only",
                       KEY + [f"{c}_new" for c in ("time", "unit", "value")]]
    dropped = merged.loc[merged["_merge"] == "left_only",
                         KEY + [f"{c}_old" for c in ("time", "unit", "value")]]
    return both, added, dropped


def same_value(old: float, new: float, decimals_: int | None = None) -> bool:
    """Whether two published values are the same figure: closer than half a unit in the
    last decimal place both are published to (``decimals_``; default: the coarser of
    the two values' own decimals). ``24.8`` and ``24.83`` are; ``24.8`` and ``24.7`` are
    not."""
    if not (np.isfinite(old) and np.isfinite(new)):
        return not np.isfinite(old) and not np.isfinite(new)
    d = min(decimals(old), decimals(new)) if decimals_ is None else decimals_
    return abs(old - new) < 0.5 * 10.0 ** (-d) - 1e-12 * max(abs(old), abs(new), 1.0)


def _status(old: float, new: float, factor: float | None, d_old: int, d_new: int) -> str:
    if same_value(old, new, min(d_old, d_new)):
        return "unchanged"
    if not np.isfinite(new):
        return "now missing"
    if not np.isfinite(old):
        return "now published"
    if factor is not None and _fits(old, new, factor, d_old, d_new):
        return "re-based"
    return "revised"


def _factor_range(old: float, new: float, d_old: int, d_new: int) -> tuple[float, float]:
    """The factors ``new / old`` consistent with both values' rounding (module
    docstring); NaNs when the signs differ."""
    if old < 0 and new < 0:
        return _factor_range(-old, -new, d_old, d_new)
    ho, hn = 0.5 * 10.0 ** (-d_old), 0.5 * 10.0 ** (-d_new)
    if old - ho <= 0 or new - hn < 0:
        return math.nan, math.nan
    return (new - hn) / (old + ho), (new + hn) / (old - ho)


def _fits(old: float, new: float, factor: float, d_old: int, d_new: int) -> bool:
    lo, hi = _factor_range(old, new, d_old, d_new)
    return bool(lo <= factor <= hi)


def block_decimals(values: np.ndarray) -> int:
    """The decimal places a block of values is published to: the most any of them shows
    (a stored 10.0 in a block of 2-decimal values was published as 10.00)."""
    finite = [float(v) for v in values if np.isfinite(v)]
    return max((decimals(v) for v in finite), default=0)


def revisions(code: str, *, old: str | None = None, new: str | None = None) -> Revisions:
    """What changed in indicator ``code`` between two editions (module docstring).
    Defaults: SoN 2025 against SoN 2026. Raises :class:`~socmob.errors.NotFoundError`
    when the indicator is not in both."""
    entry = indicator(code)
    old = old or DEFAULT_EDITIONS[0]
    new = new or DEFAULT_EDITIONS[1]
    have = editions_of(entry.code)
    missing = [e for e in (old, new) if e not in have]
    if missing:
        raise NotFoundError(f"indicator {entry.code} is not in edition {missing[0]!r} "
                            f"(it is in: {', '.join(have)})", have)
    both, added, dropped = _pair_rows(published(entry.code, edition=old),
                                      published(entry.code, edition=new))
    block_rows: list[dict[str, Any]] = []
    statuses: dict[Any, str] = {}
    for (block, unit), part in both.groupby(["block", "unit_key"], sort=True):
        ov = part["value_old"].to_numpy(dtype=float)
        nv = part["value_new"].to_numpy(dtype=float)
        ok = np.isfinite(ov) & np.isfinite(nv) & (ov != 0)
        d_old, d_new = block_decimals(ov), block_decimals(nv)
        factor = float(np.median(nv[ok] / ov[ok])) if ok.any() else math.nan
        rebase: float | None = None
        shares = unit in ("percent", "proportion")  # a share has no base to move
        if ok.sum() >= MIN_REBASE_POINTS and np.isfinite(factor) and not shares:
            pairs_ok = list(zip(ov[ok], nv[ok], strict=True))
            same = sum(same_value(o, n_, min(d_old, d_new)) for o, n_ in pairs_ok)
            fits = sum(_fits(o, n_, factor, d_old, d_new) for o, n_ in pairs_ok)
            if same < 0.5 * ok.sum() and fits >= max(MIN_REBASE_POINTS,
                                                     REBASE_SHARE * ok.sum()):
                rebase = factor
        st = [_status(o, n_, rebase, d_old, d_new) for o, n_ in zip(ov, nv, strict=True)]
        statuses.update(zip(part.index, st, strict=True))
        counts = pd.Series(st).value_counts()
        n_rev = int(counts.get("revised", 0) + counts.get("now missing", 0)
                    + counts.get("now published", 0))
        if rebase is not None:
            verdict = (f"re-based: every value × {rebase:.4f}"
                       + (f", and {n_rev} revised beyond that" if n_rev else ""))
        elif n_rev:
            verdict = f"revised: {n_rev} of {len(part)} values"
        else:
            verdict = "unchanged"
        block_rows.append({"block": block, "unit": unit, "pairs": len(part),
                           "factor": rebase if rebase is not None else math.nan,
                           "median_ratio": factor,
                           "unchanged": int(counts.get("unchanged", 0)),
                           "rebased": int(counts.get("re-based", 0)), "revised": n_rev,
                           "verdict": verdict})
    pairs = pd.DataFrame({
        "place_key": both["place_key"], "block": both["block"], "group_key": both["group_key"],
        "unit_key": both["unit_key"], "age_key": both["age_key"],
        "time": both["time_new"].fillna(both["time_old"]),
        "old_time": both["time_old"], "new_time": both["time_new"],
        "old_value": both["value_old"], "new_value": both["value_new"],
        "difference": both["value_new"] - both["value_old"],
        "ratio": both["value_new"] / both["value_old"].where(both["value_old"] != 0),
        "status": pd.Series(statuses, dtype="string").reindex(both.index)}
    ).reset_index(drop=True)
    blocks = pd.DataFrame(block_rows, columns=["block", "unit", "pairs", "factor",
                                               "median_ratio", "unchanged", "rebased",
                                               "revised", "verdict"])
    verdict = _verdict(entry.code, old, new, pairs, blocks, len(added), len(dropped))
    rename = {"time_new": "time", "unit_new": "unit", "value_new": "value",
              "time_old": "time", "unit_old": "unit", "value_old": "value"}
    return Revisions(entry.code, old, new, pairs, blocks,
                     added.rename(columns=rename).reset_index(drop=True),
                     dropped.rename(columns=rename).reset_index(drop=True), verdict)


def _verdict(code: str, old: str, new: str, pairs: pd.DataFrame, blocks: pd.DataFrame,
             added: int, dropped: int) -> str:
    n = len(pairs)
    rebased = blocks[blocks["factor"].notna()]
    revised = int(blocks["revised"].sum())
    parts = [f"{code}: {n} points in both {old} and {new}"]
    if n and not revised and rebased.empty:
        parts.append("all unchanged (within rounding)")
    for row in _records(rebased):
        parts.append(f"{row.block} ({row.unit}) re-based by a factor of {row.factor:.4f}")
    if revised:
        parts.append(f"{revised} value{'s' if revised != 1 else ''} revised")
    if added:
        parts.append(f"{added} new in {new}")
    if dropped:
        parts.append(f"{dropped} no longer published")
    return "; ".join(parts) + "."


__all__ = ["DEFAULT_EDITIONS", "MIN_REBASE_POINTS", "REBASE_SHARE", "Revisions",
           "block_decimals", "decimals", "half_unit", "revisions", "same_value"]
