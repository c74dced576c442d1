"""Association models for mobility tables: log-linear (independence, quasi-independence,
uniform association, row/column effects, symmetry) and log-multiplicative (Goodman's
RC(1), Unidiff), fitted by Poisson maximum likelihood and returning one
:class:`FitResult`; :func:`compare` fits several and returns a :class:`ModelComparison`
(G², df, p, BIC', AIC', Δ per model, the preferred one by BIC').

>>> from socmob.models import fit
>>> result = fit(table, "unidiff")          # doctest: +SKIP
>>> result.layer_effects                     # doctest: +SKIP
>>> compare(table).preferred                 # doctest: +SKIP
"""

from socmob.models.compare import ModelComparison, compare, default_models
from socmob.models.fit import MODELS, ModelInfo, build_spec, fit
from socmob.models.quasi import quasi_variances
from socmob.models.result import FitResult

__all__ = ["MODELS", "FitResult", "ModelComparison", "ModelInfo", "build_spec", "compare",
           "default_models", "fit", "quasi_variances"]
