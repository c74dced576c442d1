"""socmob.place."""
