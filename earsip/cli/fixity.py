"""`earsip verify`: the fixity check of every stored file (being built)."""
