"""Name normalisation: every dash and apostrophe form, and one rule for the package and
the data build.

Reference: the Unicode characters named in ``socmob._text.DASHES`` / ``APOSTROPHES``
(Unicode 15 code charts, "General Punctuation" U+2010–U+2015, "Supplemental Punctuation"
U+2E3A–U+2E3B, "Small Form Variants" U+FE58/U+FE63, "Halfwidth and Fullwidth Forms"
U+FF07/U+FF0D).
"""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest

from socmob._text import APOSTROPHES, DASHES, closest, normalise

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_default_data.py"

ALL_DASHES = [
    "-",        # hyphen-minus
    "\u2010",   # hyphen
    "\u2011",   # non-breaking hyphen
    "\u2012",   # figure dash
    "\u2013",   # en dash
    "\u2014",   # em dash
    "\u2015",   # horizontal bar
    "\u2043",   # hyphen bullet
    "\u2212",   # minus sign
    "\u2e3a",   # two-em dash
    "\u2e3b",   # three-em dash
    "\ufe58",   # small em dash
    "\ufe63",   # small hyphen-minus
    "\uff0d",   # fullwidth hyphen-minus
]
ALL_APOSTROPHES = [
    "'",        # apostrophe
    "\u2018",   # left single quotation mark
    "\u2019",   # right single quotation mark (the typographic apostrophe)
    "\u201b",   # single high-reversed-9 quotation mark
    "\u2032",   # prime
    "`",        # grave accent
    "\u00b4",   # acute accent
    "\u02bc",   # modifier letter apostrophe
    "\u02bb",   # modifier letter turned comma
    "\uff07",   # fullwidth apostrophe
]


def test_the_lists_cover_every_form_named_here() -> None:
    assert sorted(ALL_DASHES) == sorted(DASHES)
    assert sorted(ALL_APOSTROPHES) == sorted(APOSTROPHES)
    assert all(unicodedata.category(d) in {"Pd", "Sm", "Po"} for d in ALL_DASHES)


@pytest.mark.parametrize("dash", ALL_DASHES, ids=[f"U+{ord(d):04X}" for d in ALL_DASHES])
def test_every_dash_is_a_word_break(dash: str) -> None:
    name = f"Stockton{dash}on{dash}Tees"
    assert normalise(name) == "stockton on tees"
    assert normalise(name) == normalise("Stockton-on-Tees") == normalise("Stockton on Tees")


@pytest.mark.parametrize("mark", ALL_APOSTROPHES,
                         ids=[f"U+{ord(a):04X}" for a in ALL_APOSTROPHES])
def test_every_apostrophe_is_dropped(mark: str) -> None:
    assert normalise(f"King{mark}s Lynn") == "kings lynn"
    assert normalise(f"I don{mark}t wish to answer") == "i dont wish to answer"


def test_accents_case_ampersands_and_invisible_hyphens() -> None:
    assert normalise("Ynys Môn") == "ynys mon"
    assert normalise("BRIGHTON & HOVE") == "brighton and hove"
    assert normalise("Stock\u00adton\u2013on\u2013Tees") == "stockton on tees"  # soft hyphen
    assert normalise("Ｓｔｏｃｋｔｏｎ－ｏｎ－Ｔｅｅｓ") == "stockton on tees"  # fullwidth


def test_lookups_find_a_name_written_with_en_dashes() -> None:
    choices = ["Stockton-on-Tees", "Stoke-on-Trent"]
    assert closest("Stockton–on–Tees", choices, n=1) == ["Stockton-on-Tees"]


def test_the_data_build_uses_the_package_rule() -> None:
    spec = importlib.util.spec_from_file_location("build_default_data_normalise", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.normalise is normalise
    assert module.slugify("Stockton–on–Tees") == "stockton_on_tees"
