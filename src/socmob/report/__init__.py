"""socmob.report."""
