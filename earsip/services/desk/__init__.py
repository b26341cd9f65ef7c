"""The front desk (Layanan Satu Pintu): what arrives at the office and what leaves it.

Public use cases, by module:

- `suggestions`: retrain, suggest: classification codes suggested from a letter's text
"""

__all__ = ["suggestions"]
