"""One glossary: the methods page shows it, docs/glossary.md holds the same definitions,
and the pages a council analyst reads use plain names (no module names, no "Gi*", no
model codes), the index names from the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"


def _words(text: str) -> str:
    return " ".join(text.split())


def test_docs_glossary_matches_the_one_on_the_methods_page():
    from socmob.report.views import glossary

    doc = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (.+?)\n\n(.*?)(?=\n## |\Z)", doc, re.S | re.M))
    terms = glossary()
    assert len(terms) >= 10
    assert {t.term for t in terms} == set(sections)
    for t in terms:
        assert _words(sections[t.term]) == t.text, t.term


def test_the_methods_page_shows_the_glossary_and_the_index_names(client, needs_data):
    from socmob.report.views import glossary, indices

    page = client.get("/methods").text
    assert 'id="glossary"' in page
    for t in glossary():
        assert f'id="glossary-{t.id}"' in page
    for i in indices():
        assert i["title"] in page
    assert "adult outcomes" not in page  # an index name the Commission does not use
    # the methods page and the area page describe the rank uncertainty the same way
    assert "agrees between its two latest periods" in page


@pytest.mark.parametrize("area", ["tower_hamlets", "northern_ireland"])
def test_area_pages_speak_plainly(client, needs_data, area):
    page = client.get(f"/areas/{area}").text
    visible = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", visible)
    for jargon in ("socmob.place", "socmob.report", "Gi*", "Gi* z-score", " on ci1",
                   "P(7)", "indicators.yaml", "Permutation p-value"):
        assert jargon not in visible, jargon
    assert 'href="/methods#glossary"' in page
