"""Records and filing: what enters the archive and how it is described and read.

Public use cases, by module:

- `ingest`: file_document: the one filing pipeline behind the browser, the API and the CLI
  (detect, store, extract, record, index); record_lost_upload
- `bulk`: import_paths: filing every file under folders, several extractions at a time
- `documents`: view_document, open_file, text_preview, preview_file, recent_documents: reading
  documents within the reader's clearance; parse_input
- `editing`: edit_document: metadata, reclassification, security class
- `classification`: list_effective, get_effective, import_scheme, export_scheme, seed_if_empty,
  recompute: the classification scheme and its JRA rules
- `scheme`: create_code, update_code: editing one code and its rule (admin)
- `dashboard`: overview: the start page's figures within clearance
"""

__all__ = [
    "bulk",
    "classification",
    "dashboard",
    "documents",
    "editing",
    "ingest",
    "scheme",
]
