"""The dashboard's tools: the mobility explorer and the employers' report.

Uploads are read into memory (within the size and row limits), handed to the library,
and discarded when the request ends — unless the operator sets ``SOCMOB_UPLOAD_STORE``,
in which case a copy is kept there under a random name. Every statistic comes from the
library: ``socmob.tables`` and ``socmob.models`` for mobility tables,
``socmob.workforce`` (rendered by ``socmob.report.workforce``) for employers.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from fastapi import UploadFile

from socmob import data
from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.report import charts, published
from socmob.report.panels import Panel
from socmob.results import atomic_write, tidy
from socmob.web.settings import Settings
from socmob.web.uploads import Upload, read_table

if TYPE_CHECKING:  # the explorer's and the employers' libraries load on first use
    from socmob.tables import MobilityTable

#: Bootstrap replicates for the pay-gap intervals of the employer report on the web
#: (the library's default is 1000; fewer keep a request short, seed fixed).
EMPLOYER_BOOTSTRAP = 400


def models() -> tuple[str, ...]:
    """The association models the explorer offers (``socmob.models.MODELS``)."""
    from socmob.models import MODELS

    return tuple(MODELS)


def model_labels() -> dict[str, str]:
    """Model name → its name in words with what it says (``socmob.models.MODELS``'
    own descriptions): "quasi-independence" → "Quasi-independence: independence off the
    diagonal"."""
    from socmob.models import MODELS

    return {name: f"{name.replace('-', ' ').capitalize()}: {info.description}"
            for name, info in MODELS.items()}


#: The models every exploration compares, beside the one chosen.
COMPARED = {False: ("independence", "quasi-independence", "uniform-association", "rc1"),
            True: ("conditional-independence", "constant-fluidity", "unidiff")}


async def receive(file: UploadFile, settings: Settings) -> Upload:
    """Read an uploaded file into memory, refusing more than the size limit."""
    name = re.sub(r"[^\w.\- ]", "_", (file.filename or "upload")[-100:])
    content = await file.read(settings.max_upload_bytes + 1)
    await file.close()
    if len(content) > settings.max_upload_bytes:
        raise InputError(f"the file is larger than {settings.max_upload_bytes:,} bytes",
                         file=name, expected="a smaller file")
    upload = Upload(name, content)
    if settings.upload_store is not None:
        target = settings.upload_store / f"{uuid.uuid4().hex}-{name}"
        atomic_write(target, lambda h: h.write(content))
    return upload


# --------------------------------------------------------------------------- explorer


@dataclass(frozen=True)
class Exploration:
    """Absolute and relative measures and model fits for one mobility table."""

    source: str
    shape: str
    panels: tuple[Panel, ...]


def published_tables() -> dict[str, str]:
    """Published mobility tables offered by the explorer (name → title)."""
    return published.published_tables()


def explore_published(name: str, model: str) -> Exploration:
    """Explore a published table by name."""
    tables = published.published_tables()
    if name not in tables:
        raise NotFoundError(f"no published table {name!r}", suggestions=sorted(tables))
    return explore(published.published_table(name), model, source=tables[name])


def explore_upload(upload: Upload, model: str, settings: Settings, *,
                   square: bool = True) -> Exploration:
    """Explore an uploaded long table (columns origin, destination, count[, layer]).

    ``square``: origin and destination are the same classes (a mobility table), so the
    two sides share one list of categories and the table has a diagonal; otherwise rows
    and columns keep their own categories (e.g. education by occupation), even where
    some labels are alike (:meth:`socmob.tables.MobilityTable.from_long`)."""
    from socmob.tables import MobilityTable

    frame = read_table(upload, max_rows=settings.max_upload_rows)
    layer = "layer" if "layer" in frame.columns else None
    table = MobilityTable.from_long(frame, layer=layer, source=upload.filename,
                                    square=square)
    return explore(table, model, source=upload.filename)


def explore(table: MobilityTable, model: str, *, source: str) -> Exploration:
    """Describe ``table`` and fit ``model`` beside its baseline (independence, or
    conditional independence for a layered table)."""
    if model not in models():
        raise InputError(f"unknown model {model!r}", column="model",
                         expected=", ".join(models()))
    from socmob.models.compare import compare
    from socmob.tables import describe

    desc = describe(table)
    panels: list[Panel] = []
    counts = table.to_frame() if hasattr(table, "to_frame") else None
    if isinstance(counts, pd.DataFrame) and not counts.empty:
        panels.append(Panel("counts", "The table: counts by origin and destination",
                            tidy(counts)))
    pooled = describe(table.pooled()) if table.is_layered else desc
    outflow_rows = pooled.outflow.to_frame()
    panels.append(Panel(
        "outflow", "Outflow percentages (destinations by origin)",
        tidy(desc.outflow.to_frame()),
        charts.outflow_chart(outflow_rows, name="outflow",
                             title="Where people from each origin end up"
                                   + (" (all layers together)" if table.is_layered else ""))))
    if desc.absolute is not None:
        panels.append(Panel("absolute", "Absolute mobility", tidy(desc.absolute.to_frame())))
    panels.append(Panel("odds_ratios", "Odds ratios", tidy(pd.concat(
        [desc.corner_odds_ratio.to_frame(), desc.local_odds_ratios.to_frame()],
        ignore_index=True))))
    panels.append(Panel("altham", "Altham index", tidy(desc.altham.to_frame())))
    candidates = list(dict.fromkeys([*COMPARED[bool(table.is_layered)], model]))
    comparison = compare(table, candidates)
    if model in comparison.not_fitted:  # e.g. a model for square tables on a non-square one
        raise ModelSpecError(f"the {model} model cannot be fitted on this table: "
                             f"{comparison.not_fitted[model]}")
    labels = model_labels()
    fits = comparison.statistics()
    fits.insert(1, "model_words", fits["model"].map(lambda m: labels.get(m, m)))
    fits["preferred"] = fits["preferred"].map({True: "Preferred (lowest BIC)", False: ""})
    panels.append(Panel("fit", "Which model fits best (lower BIC is better)", fits,
                        columns=(("model_words", "Model"), ("deviance", "Deviance"),
                                 ("df", "Degrees of freedom"), ("p_value", "p-value"),
                                 ("bic", "BIC"), ("dissimilarity", "Misclassified (%)"),
                                 ("preferred", "Preferred"))))
    panels.append(Panel("params", f"Parameters of the {labels.get(model, model)} model",
                        tidy(comparison[model].to_frame())))
    shape = " × ".join(str(n) for n in table.shape)
    return Exploration(source, shape, tuple(panels))


# --------------------------------------------------------------------------- employers


def read_yaml_upload(upload: Upload) -> Any:
    """An uploaded YAML file (a column mapping) read by ``socmob.io.read_yaml``: safe
    loading only, at most 200 kB, one-line errors naming the file, line and character."""
    from socmob.io import read_yaml

    return read_yaml(upload.content, name=upload.filename, what="mapping file",
                     max_bytes=200_000)


def questionnaire() -> pd.DataFrame:
    """The employers' questionnaire (question, answers) from ``socmob.workforce``."""
    from socmob.workforce.survey import load_questionnaire

    return load_questionnaire().to_frame()


def questionnaire_html() -> str:
    """The printable questionnaire (``socmob.report.workforce.questionnaire_html``)."""
    from socmob.report import workforce as workforce_report
    from socmob.workforce.survey import load_questionnaire

    return workforce_report.questionnaire_html(load_questionnaire())


def catalog() -> pd.DataFrame:
    """The data catalogue (``socmob.data.catalog``)."""
    return data.catalog()
