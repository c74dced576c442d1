"""socmob.income."""
