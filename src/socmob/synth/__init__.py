"""socmob.synth."""
