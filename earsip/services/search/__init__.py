"""Search: finding records within the reader's clearance; the index kept in line with the database.

Public use cases, by module:

- `searching`: search, parse_params: hits, totals, facets and snippets
- `indexing`: process_queue, reindex, rebuild_pending, repair_if_damaged, warm_search: the
  pending-index queue and rebuilds; index_within_transactions: the queue applied inside each
  write transaction, for a backend that writes with the database (PostgreSQL's)
"""

__all__ = ["indexing", "searching"]
