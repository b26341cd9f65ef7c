"""`earsip retention …`, `earsip hold …`, `earsip disposal …`, `earsip transfer …` (being built)."""
