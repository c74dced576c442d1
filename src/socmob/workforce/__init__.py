"""socmob.workforce."""
