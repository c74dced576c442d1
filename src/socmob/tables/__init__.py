"""socmob.tables."""
