"""indicators.yaml against the release itself: one entry per indicator and no more, titles,
headline series, gap groups and breakdowns that exist in the data."""

from __future__ import annotations

import pytest

from socmob import data
from socmob.errors import InputError, NotFoundError
from socmob.monitor import dimensions, editions_of, headline, indicator, indicators, published
from socmob.monitor.metadata import DIRECTIONS, LEVELS

KIND_TO_LEVEL = {"driver": "driver", "intermediate outcome": "intermediate outcome",
                 "mobility outcome": "mobility outcome"}

#: Breakdown names in the YAML that are not split types of the release: geography rows
#: (the nations of dr12, dr24, dr51, dr55; MO21's countries) and the age column.
NOT_DIMENSIONS = {"nation", "country", "age"}

#: Latest editions whose headline is missing from an older edition, and why.
HEADLINE_ABSENT = {("in31", "son25"): "SoN 2025 has no all-background (Total) trend row"}


def _catalogue_indicators() -> dict[str, set[str]]:
    cat = data.catalog()
    cat = cat[(cat["table"] == "indicators") & cat["kind"].isin(list(KIND_TO_LEVEL))]
    out: dict[str, set[str]] = {}
    for code, edition in zip(cat["code"], cat["edition"], strict=True):
        out.setdefault(str(code), set()).add(str(edition))
    return out


def test_every_indicator_in_the_data_has_an_entry_and_vice_versa() -> None:
    in_data = set(_catalogue_indicators())
    in_yaml = set(indicators())
    assert in_data - in_yaml == set(), "indicators without metadata"
    assert in_yaml - in_data == set(), "metadata without an indicator"
    assert len(in_yaml) == 42


def test_entries_are_complete_and_ordered_by_framework_level() -> None:
    levels = [i.level for i in indicators().values()]
    assert levels == sorted(levels, key=LEVELS.index)
    cat = data.catalog().drop_duplicates("code").set_index("code")
    for code, entry in indicators().items():
        assert entry.level == KIND_TO_LEVEL[cat.loc[code, "kind"]], code
        assert entry.good in DIRECTIONS
        for text in (entry.title, entry.definition, entry.population, entry.source,
                     entry.domain):
            assert text.strip(), code


@pytest.mark.parametrize("code", sorted(indicators()))
def test_release_title_is_the_measure_title_of_every_edition(code: str) -> None:
    entry = indicator(code)
    for edition in editions_of(code):
        titles = set(data.load(code, edition=edition)["title"].dropna().unique())
        assert titles == {entry.release_title}, (code, edition)


@pytest.mark.parametrize("code", sorted(indicators()))
def test_headline_is_one_published_series(code: str) -> None:
    entry = indicator(code)
    for edition in editions_of(code):
        series = headline(code, edition=edition)
        if (code, edition) in HEADLINE_ABSENT:
            assert series is None
            continue
        assert series is not None, (code, edition)
        assert series.rows["series"].nunique() == 1
        assert len(series.points) >= 1, (code, edition)
        assert (series.rows["breakdown"] == entry.headline.breakdown).all()


@pytest.mark.parametrize("code", sorted(c for c, i in indicators().items() if i.gap))
def test_gap_groups_exist_in_the_latest_edition(code: str) -> None:
    entry = indicator(code)
    assert entry.gap is not None
    rows = published(code)
    values = {d.get(entry.gap.dimension) for d in rows["dims"]}
    assert entry.gap.most_advantaged in values
    assert entry.gap.least_advantaged in values


@pytest.mark.parametrize("code", sorted(indicators()))
def test_listed_breakdowns_are_published(code: str) -> None:
    entry = indicator(code)
    names: set[str] = set()
    for edition in editions_of(code):
        for breakdown in published(code, edition=edition)["breakdown"]:
            names.update(str(breakdown).split("; "))
    missing = set(entry.breakdowns) - names - NOT_DIMENSIONS
    assert not missing, (code, sorted(missing), sorted(names))


def test_background_dimensions_name_groups_the_release_uses() -> None:
    seen: dict[str, set[str]] = {}
    for code in indicators():
        for edition in editions_of(code):
            for dims in published(code, edition=edition)["dims"]:
                for k, v in dims.items():
                    seen.setdefault(k, set()).add(v)
    for name, dim in dimensions().items():
        if dim.most_advantaged:
            assert dim.most_advantaged in seen[name], name
            assert dim.least_advantaged in seen[name], name
        for value in dim.order:
            assert value in seen[name], (name, value)


def test_lookup_by_code_title_and_release_title_and_did_you_mean() -> None:
    assert indicator("DR32").code == "dr32"
    assert indicator("youth unemployment").code == "dr32"
    assert indicator("Relative housing mobility").code == "MO42"
    with pytest.raises(NotFoundError, match="did you mean 'dr32'"):
        indicator("d32")
    with pytest.raises(NotFoundError, match=r"unknown indicator 'youth unemploymnt'.*'dr32'"):
        indicator("youth unemploymnt")


def test_a_bad_entry_is_reported_with_the_file() -> None:
    from socmob.monitor.metadata import _display_unit

    with pytest.raises(InputError, match=r"indicators\.yaml.*unknown display_unit"):
        _display_unit("furlongs", "indicator dr11")
