"""Numbers for people: how the monitor writes a value, a change and a trend in tables,
sentences and the briefing. Machine output (CSV, JSON) stays unrounded; this module is
only for text.

Each indicator has a display unit (``display_unit`` in ``indicators.yaml``, else derived
from the published unit and the series' scale):

=============  ======================================  ====================  ==========
unit           value                                   change                example
=============  ======================================  ====================  ==========
``%``          a percentage (0–100)                    percentage points     ``16.5%``
``share``      a proportion (0–1) shown as a percent   percentage points     ``32.6%``
``£``          pounds                                  pounds                ``£23.89``
``£bn``        billions of pounds                      billions              ``£55.6bn``
``£m``         millions of pounds                      millions              ``£18.8m``
``odds ratio`` a ratio (1 = no association)            ratio of the two      ``4.00``
``number``     anything else, three significant digits same                  ``0.391``
=============  ======================================  ====================  ==========
"""

from __future__ import annotations

import math
from typing import Any

_POUNDS = {"£", "pounds", "pound", "pound sterling", "gbp (£)",
           "predictive margins in pounds sterling"}

UNITS: tuple[str, ...] = ("%", "share", "£", "£bn", "£m", "odds ratio", "number")


def default_unit(unit: str | None, scale: str) -> str:
    """The display unit of a series from its published unit and scale."""
    text = (unit or "").strip().lower()
    if scale == "percent":
        return "%"
    if scale == "proportion":
        return "share"
    if scale == "log":
        return "odds ratio"
    if text in _POUNDS:
        return "£"
    if text == "billions of £":
        return "£bn"
    if text == "millions of £":
        return "£m"
    return "number"


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def significant(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures without exponent notation, with thousands
    separators (``0.000206``, ``16.5``, ``33,305``)."""
    if not _finite(x):
        return "n/a"
    x = float(x)
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    text = f"{x:,.{decimals}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def _minus(text: str) -> str:
    """The typographic minus sign for a leading hyphen-minus."""
    return "−" + text[1:] if text.startswith("-") else text


def value(x: float, unit: str) -> str:
    """A level in its display unit (``"16.5%"``, ``"£23.89"``, ``"4.00"``)."""
    if not _finite(x):
        return "n/a"
    return _minus(_value(float(x), unit))


def _value(x: float, unit: str) -> str:
    if unit == "%":
        return f"{x:.1f}%"
    if unit == "share":
        return f"{100 * x:.1f}%"
    if unit in ("£", "£bn", "£m"):
        a = abs(x)
        body = (f"£{a:,.2f}" if a < 1000 else f"£{a:,.0f}") if unit == "£" else \
            f"£{a:,.1f}{unit[1:]}"
        return ("-" if x < 0 else "") + body
    if unit == "odds ratio":
        return f"{x:.2f}"
    return significant(x)


def change(x: float, unit: str, *, signed: bool = True) -> str:
    """A difference in its display unit (``"+1.2 pp"``, ``"−£0.45"``)."""
    if not _finite(x):
        return "n/a"
    x = float(x)
    sign = ("+" if x > 0 else "−" if x < 0 else "") if signed else ("−" if x < 0 else "")
    a = abs(x)
    if unit == "%":
        body = f"{a:.1f} pp"
    elif unit == "share":
        body = f"{100 * a:.1f} pp"
    elif unit == "£":
        body = f"£{a:,.2f}" if a < 100 else f"£{a:,.0f}"
    elif unit in ("£bn", "£m"):
        body = f"£{a:,.1f}{unit[1:]}"
    else:
        body = significant(a)
    return sign + body


def per_year(slope: float, unit: str, *, log_scale: bool = False, suffix: bool = True,
             short: bool = False) -> str:
    """A trend slope (``"+0.9 pp a year"``; for ratios on the log scale the yearly
    proportional change, ``"+1.4% a year"``); ``suffix=False`` leaves out the unit words
    (for the bounds of an interval beside the estimate)."""
    if not _finite(slope):
        return "n/a"
    x = float(slope)
    sign = "+" if x > 0 else "−" if x < 0 else ""
    if log_scale:
        body = f"{abs(100 * (math.exp(x) - 1)):.1f}%"
        sign = "+" if x > 0 else "−" if x < 0 else ""
    elif unit in ("%", "share"):
        body = significant(abs(x) * (100 if unit == "share" else 1), 2) + " pp"
    elif unit in ("£", "£bn", "£m"):
        body = change(x, unit, signed=False).lstrip("−")
    else:
        body = significant(abs(x), 2)
    if not suffix:
        body = body.removesuffix(" pp")
    if short:
        body = body.replace(" pp", "\u00a0pp")
    return f"{sign}{body}" + (("/yr" if short else " a year") if suffix else "")


def interval(lower: float, upper: float, unit: str, *, compact: bool = False) -> str:
    """``"15.3% to 17.7%"`` (``compact``: ``"15.3–17.7%"``, the unit once); empty when
    there is no interval."""
    if not (_finite(lower) and _finite(upper)):
        return ""
    lo, hi = value(lower, unit), value(upper, unit)
    if not compact:
        return f"{lo} to {hi}"
    if unit in ("%", "share"):
        return f"{lo.removesuffix('%')}–{hi}"
    if unit in ("£", "£bn") and not lo.startswith("−"):
        return f"{lo}–{hi.removeprefix('£')}"
    return f"{lo} to {hi}" if lo.startswith("−") or hi.startswith("−") else f"{lo}–{hi}"


def p_value(p: float, *, name: str = "p") -> str:
    """``"p = 0.012"``, ``"p < 0.001"``, or ``"p n/a"`` (``name`` is the label)."""
    if not _finite(p):
        return f"{name} n/a"
    return f"{name} < 0.001" if p < 0.001 else f"{name} = {p:.3f}"


__all__ = ["UNITS", "change", "default_unit", "interval", "p_value", "per_year",
           "significant", "value"]
