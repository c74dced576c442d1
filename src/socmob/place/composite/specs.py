"""Construction choices written as text — the ``--impute``, ``--treat``, ``--normalise``
and ``--aggregate`` mini-language — parsed into the parameters of the coin's steps.

A choice is a method name, optionally followed by a colon and its arguments; a list of
alternatives (for uncertainty and sensitivity analysis) separates choices with ``;``:

=================  ===============================================================
``--impute``       ``mean``, ``median``, ``group_mean:GROUP``, ``group_median:GROUP``,
                   ``none``
``--treat``        ``winsorise_log`` (COINr's default), ``winsorise``, ``log``, ``none``
``--normalise``    ``minmax[:L,U]``, ``zscore[:MEAN,SD]``, ``dist2ref:UCODE``, ``rank``,
                   ``prank``, ``borda``, ``dist2max``, ``dist2targ``, ``fracmax``,
                   ``none``
``--aggregate``    ``amean``, ``gmean[:OFFSET]``, ``hmean``, ``genmean:P``, ``copeland``,
                   ``copeland_sum``
=================  ===============================================================

e.g. ``minmax:1,100`` → ``{"method": "minmax", "l_u": (1.0, 100.0)}`` and
``"amean;gmean"`` → two alternatives. Every mistake is an
:class:`~socmob.errors.InputError` on one line that names the option and says what was
expected (``--normalise 'minmax:a,b': needs 2 numbers separated by commas (expected
minmax:L,U, e.g. minmax:1,100)``).

:class:`CoinSpec` holds a whole construction (the steps COINr's ``build_example_coin``
runs) and applies it to a coin read from files or built from frames.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from socmob._text import did_you_mean
from socmob.errors import InputError
from socmob.place.composite.aggregate import AGGREGATE_METHODS
from socmob.place.composite.coin import Coin
from socmob.place.composite.impute import IMPUTE_METHODS
from socmob.place.composite.normalise import NORMALISE_METHODS
from socmob.place.composite.treat import TREAT_METHODS

Params = dict[str, Any]
Parser = Callable[..., Params]

__all__ = ["CoinSpec", "parse_aggregate", "parse_alternatives", "parse_impute",
           "parse_normalise", "parse_numbers", "parse_treat", "parse_weight_noise"]


def _fail(option: str, text: str, what: str, expected: str | None = None) -> InputError:
    return InputError(f"{option} {text!r}: {what}", expected=expected)


def parse_numbers(text: str, *, option: str, n: int | None = None, integer: bool = False,
                  quoted: str | None = None, form: str | None = None) -> tuple[float, ...]:
    """``"1,100"`` → ``(1.0, 100.0)``: finite numbers separated by commas (``n`` of them
    when given; whole numbers when ``integer``). Errors quote ``quoted`` (default
    ``text``) and give ``form`` as what was expected."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    quoted = str(text) if quoted is None else quoted
    kind = "whole numbers" if integer else "numbers"
    count = f"{n} " if n is not None else ""
    form = form or ("e.g. 1,2,3" if integer else "e.g. 1,100")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise _fail(option, quoted, f"needs {count}{kind} separated by commas",
                    form) from None
    if not values or (n is not None and len(values) != n):
        raise _fail(option, quoted, f"needs {count}{kind} separated by commas", form)
    if not all(math.isfinite(v) for v in values):
        raise _fail(option, quoted, "the numbers must be finite", form)
    if integer and not all(v.is_integer() for v in values):
        raise _fail(option, quoted, f"needs {kind}", form)
    return values


def _split(spec: str, option: str, methods: Sequence[str], what: str) -> tuple[str, str]:
    name, _, arg = str(spec).partition(":")
    name, arg = name.strip(), arg.strip()
    if name not in methods:
        raise _fail(option, spec, f"unknown {what} method {name!r}"
                    + did_you_mean(name, methods), " or ".join(methods))
    return name, arg


def _no_argument(option: str, spec: str, name: str, arg: str) -> None:
    if arg:
        raise _fail(option, spec, f"{name} takes no parameters", name)


def parse_impute(spec: str, *, option: str = "--impute") -> Params:
    """``group_mean:GROUP`` → ``{"method": "group_mean", "group": "GROUP"}``."""
    name, arg = _split(spec, option, IMPUTE_METHODS, "imputation")
    if name.startswith("group"):
        if not arg:
            raise _fail(option, spec, f"{name} needs a group column",
                        f"e.g. {name}:EurAsia_group")
        return {"method": name, "group": arg}
    _no_argument(option, spec, name, arg)
    return {"method": name, "group": None}


def parse_treat(spec: str, *, option: str = "--treat") -> Params:
    """``winsorise_log`` → ``{"method": "winsorise_log"}`` (no parameters: the limit
    is ``winmax``)."""
    name, arg = _split(spec, option, TREAT_METHODS, "treatment")
    _no_argument(option, spec, name, arg)
    return {"method": name}


def parse_normalise(spec: str, *, option: str = "--normalise") -> Params:
    """``minmax:1,100`` → ``l_u``; ``zscore:10,2`` → ``m_sd`` (SD > 0);
    ``dist2ref:UCODE`` → ``iref``; other methods take no parameters."""
    name, arg = _split(spec, option, NORMALISE_METHODS, "normalisation")
    out: Params = {"method": name}
    if name == "minmax" and arg:
        lower, upper = parse_numbers(arg, option=option, n=2, quoted=spec,
                                     form="minmax:L,U, e.g. minmax:1,100")
        if not lower < upper:
            raise _fail(option, spec, "the lower end must be below the upper end",
                        "minmax:L,U with L < U")
        out["l_u"] = (lower, upper)
    elif name == "zscore" and arg:
        mean, sd = parse_numbers(arg, option=option, n=2, quoted=spec,
                                 form="zscore:MEAN,SD, e.g. zscore:10,2")
        if not sd > 0:
            raise _fail(option, spec, "the SD must be positive", "zscore:MEAN,SD with SD > 0")
        out["m_sd"] = (mean, sd)
    elif name == "dist2ref":
        if not arg:
            raise _fail(option, spec, "dist2ref needs the reference unit",
                        "dist2ref:UCODE")
        out["iref"] = arg
    else:
        _no_argument(option, spec, name, arg)
    return out


def parse_aggregate(spec: str, *, option: str = "--aggregate") -> Params:
    """``gmean:1`` → ``offset``; ``genmean:2`` → the power ``p``; other methods take no
    parameters."""
    name, arg = _split(spec, option, AGGREGATE_METHODS, "aggregation")
    out: Params = {"method": name}
    if name == "genmean":
        if not arg:
            raise _fail(option, spec, "genmean needs a power", "e.g. genmean:2")
        out["p"] = parse_numbers(arg, option=option, n=1, quoted=spec,
                                 form="genmean:P, e.g. genmean:2")[0]
    elif name == "gmean" and arg:
        out["offset"] = parse_numbers(arg, option=option, n=1, quoted=spec,
                                      form="gmean:OFFSET, e.g. gmean:1")[0]
    else:
        _no_argument(option, spec, name, arg)
    return out


def parse_alternatives(text: str | None, parse: Parser, *, option: str) -> list[Params]:
    """``"minmax:1,100;zscore:10,2"`` → one parameter set per alternative (empty for
    none given)."""
    if not text or not str(text).strip():
        return []
    return [parse(part.strip(), option=option) for part in str(text).split(";")
            if part.strip()]


def parse_weight_noise(fraction: float, levels: str, *, option: str = "--weight-noise",
                       levels_option: str = "--noise-levels") -> dict[int, float]:
    """Weight noise ±``fraction`` at each of ``levels`` (``"2,3"``) →
    ``{2: fraction, 3: fraction}``; no noise for ``fraction = 0``."""
    if fraction == 0:
        return {}
    if not 0 < fraction < 1:
        raise _fail(option, str(fraction), "expected a fraction in (0, 1)", "e.g. 0.25")
    numbers = parse_numbers(levels, option=levels_option, integer=True)
    if any(v < 1 for v in numbers):
        raise _fail(levels_option, levels, "levels start at 1 (the indicators)",
                    "levels ≥ 1")
    return {int(v): float(fraction) for v in numbers}


def _frozen(params: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(params))


@dataclass(frozen=True)
class CoinSpec:
    """A whole construction: denominate (optional), impute, screen, treat, normalise,
    aggregate — each step's parameters, applied in that order by :meth:`build`.

    Build one from option text with :meth:`parse`; the defaults are COINr's.
    """

    denominate: bool = True
    impute: Mapping[str, Any] = field(default_factory=lambda: _frozen({"method": "mean"}))
    screen: float = 0.0
    treat: Mapping[str, Any] = field(default_factory=lambda: _frozen(
        {"method": "winsorise_log", "winmax": 5}))
    normalise: Mapping[str, Any] = field(default_factory=lambda: _frozen(
        {"method": "minmax", "l_u": (0.0, 100.0)}))
    aggregate: Mapping[str, Any] = field(default_factory=lambda: _frozen({"method": "amean"}))

    @classmethod
    def parse(cls, *, denominate: bool = True, impute: str = "mean", screen: float = 0.0,
              treat: str = "winsorise_log", winmax: int | None = 5,
              normalise: str = "minmax:0,100", aggregate: str = "amean") -> CoinSpec:
        """The construction given as option text (see the module docstring);
        ``screen`` is the least fraction of data a unit needs, ``winmax`` the most points
        winsorised per indicator."""
        if not (math.isfinite(screen) and 0 <= screen <= 1):
            raise _fail("--screen", str(screen), "expected a fraction in [0, 1]", "e.g. 0.9")
        if winmax is not None and winmax < 0:
            raise _fail("--winmax", str(winmax), "expected a count ≥ 0", "e.g. 5")
        return cls(denominate=bool(denominate), impute=_frozen(parse_impute(impute)),
                   screen=float(screen),
                   treat=_frozen({**parse_treat(treat), "winmax": winmax}),
                   normalise=_frozen(parse_normalise(normalise)),
                   aggregate=_frozen(parse_aggregate(aggregate)))

    def build(self, coin: Coin) -> Coin:
        """Run the steps on ``coin`` (from its ``Raw`` data set); every step is logged."""
        dset = "Raw"
        if self.denominate:
            coin = coin.denominate(dset=dset)
            dset = "Denominated"
        coin = coin.impute(dset=dset, **self.impute)
        coin = coin.screen(dset="Imputed", dat_thresh=self.screen)
        coin = coin.treat(dset="Screened", **self.treat)
        coin = coin.normalise(dset="Treated", **self.normalise)
        return coin.aggregate(dset="Normalised", **self.aggregate)
