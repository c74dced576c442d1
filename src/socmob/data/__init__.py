"""socmob.data."""
