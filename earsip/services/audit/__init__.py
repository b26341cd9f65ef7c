"""Audit: the trail as auditors read and prove it.

Public use cases, by module:

- `review`: verify_chain, make_checkpoint, list_checkpoints, shown, export, export_zip: the
  hash chain, signed checkpoints and exports
- `browse`: entries, records, entry: filtered pages of the trail
- `words`: describe: entries in words
- `history`: document_history: a document's entries, in words
"""

__all__ = ["browse", "history", "review", "words"]
