"""socmob.web."""
