"""socmob — measure social mobility the way the UK Social Mobility Commission does.

Four pillars share one core: mobility tables and models (:mod:`socmob.tables`,
:mod:`socmob.models`, :mod:`socmob.income`), place (:mod:`socmob.place`), employers
(:mod:`socmob.workforce`) and people-facing outputs (:mod:`socmob.report`,
:mod:`socmob.web`, the ``socmob`` command line).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("socmob")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

ATTRIBUTION = (
    "Contains public sector information from the Social Mobility Commission and the "
    "Office for National Statistics, licensed under the Open Government Licence v3.0."
)
"""The attribution every output derived from the embedded SMC/ONS data must carry."""

__all__ = ["ATTRIBUTION", "__version__"]
