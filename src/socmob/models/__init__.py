"""Association models for mobility tables: log-linear (independence, quasi-independence,
uniform association, row/column effects, symmetry) and log-multiplicative (Goodman's
RC(1), Unidiff), fitted by Poisson maximum likelihood and returning one
:class:`FitResult`.

>>> from socmob.models import fit
>>> result = fit(table, "unidiff")          # doctest: +SKIP
>>> result.layer_effects                     # doctest: +SKIP
"""

from socmob.models.fit import MODELS, ModelInfo, build_spec, fit
from socmob.models.quasi import quasi_variances
from socmob.models.result import FitResult

__all__ = ["MODELS", "FitResult", "ModelInfo", "build_spec", "fit", "quasi_variances"]
