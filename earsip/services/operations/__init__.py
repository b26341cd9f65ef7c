"""Operations: background work and keeping a running archive sound.

Public use cases, by module:

- `backup`: backup: the whole deployment (database, the stored files its rows need, keys)
  into a folder (docs/DEPLOYMENT.md)
- `restore`: restore: a backup back into an empty deployment
- `jobs`: submit, request, retry, execute, recover, counts, listing, get: background jobs in
  the `jobs` table
- `job_kinds`: HANDLERS, GIVEN_UP: the table of what each kind of job does
- `worker`: run, tick: the background worker's loop
- `ocr`: ocr_document, documents_to_read: reading scans
- `fixity`: run_fixity, last_fixity, shown: re-hashing every stored file
- `schedule`: run_due, status: the scheduled daily tasks
- `setup`: initialise, migrate: a new or upgraded archive
- `recovery`: recover_interrupted_filings, recover_interrupted_steps: what a crash left
"""

__all__ = [
    "backup",
    "fixity",
    "job_kinds",
    "jobs",
    "ocr",
    "recovery",
    "restore",
    "schedule",
    "setup",
    "worker",
]
