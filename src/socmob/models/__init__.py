"""socmob.models."""
