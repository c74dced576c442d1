"""socmob.classify."""
