"""Text normalisation and the "did you mean" helpers behind every lookup error."""

from __future__ import annotations

from socmob._text import closest, describe_unknown, did_you_mean, normalise


def test_normalise_unifies_case_punctuation_quotes_and_ampersands() -> None:
    assert normalise("  St. Helens ") == normalise("st helens") == "st helens"
    assert normalise("I don’t wish to answer") == "i dont wish to answer"
    assert normalise("Brighton & Hove") == "brighton and hove"


def test_closest_returns_original_spelling() -> None:
    assert closest("blakpool", ["Blackpool", "Bolton"]) == ["Blackpool"]


def test_did_you_mean_tail() -> None:
    assert did_you_mean("cuont", ["count", "origin"]) == "; did you mean 'count'?"
    assert did_you_mean("zzz", ["count", "origin"]) == ""


def test_describe_unknown_lists_rows_hints_and_overflow() -> None:
    unknown = {"Proffesional": 3, "xyz": 9}
    assert describe_unknown(unknown, ["Professional"]) == (
        "'Proffesional' (row 3) ~ 'Professional'?; 'xyz' (row 9)"
    )
    many = {f"v{i}": i for i in range(12)}
    assert describe_unknown(many, [], limit=2) == "'v0' (row 0); 'v1' (row 1) and 10 more"
