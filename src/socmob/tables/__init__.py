"""Mobility tables: origin × destination [× layer] counts with ordered categories.

:class:`MobilityTable` is the input of every absolute and relative measure and of the
association models in :mod:`socmob.models`.
"""

from socmob.tables.io import read_long_table
from socmob.tables.table import UNLAYERED, MobilityTable, label_text, require_square

__all__ = ["UNLAYERED", "MobilityTable", "label_text", "read_long_table", "require_square"]
