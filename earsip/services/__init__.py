"""Use cases of E-Arsip. Each entry point (web, API, CLI) calls these, never the layers below."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from config import Config
from earsip import extract
from earsip.db import Database
from earsip.ocr import OcrSettings
from earsip.search import SearchBackend, open_backend
from earsip.storage import FileStore


@dataclass
class Archive:
    """The running archive: configuration plus the database, file store and search index."""

    config: Config
    db: Database
    store: FileStore
    index: SearchBackend  # the configured engine (EARSIP_SEARCH_BACKEND)

    @classmethod
    def open(cls, config: Config) -> Archive:
        """Connect to the configured database, file store and search backend (nothing is
        created); with a backend that writes through the database, hook it to the write
        transactions."""
        archive = cls(
            config=config,
            db=Database(config.database_url, busy_timeout_s=config.db_busy_timeout_s),
            store=FileStore(config.upload_dir),
            index=open_backend(config),
        )
        if archive.index.writes_with_database():
            # The search entries are written in each write transaction (no queue left over).
            from earsip.services.search.indexing import index_within_transactions

            index_within_transactions(archive)
        return archive

    @property
    def extract_limits(self) -> extract.Limits:
        """Return the limits of the text-extraction child process."""
        return extract.Limits(
            timeout_s=float(self.config.extract_timeout_s),
            memory_mb=self.config.extract_memory_mb,
        )

    @property
    def ocr_settings(self) -> OcrSettings:
        """Return how OCR runs (command and languages from the configuration)."""
        return OcrSettings(command=self.config.ocr_command, languages=self.config.ocr_languages)

    def local_now(self) -> dt.datetime:
        """Return the time now in the office's time zone (aware)."""
        return dt.datetime.now(ZoneInfo(self.config.timezone))

    def local_today(self) -> dt.date:
        """Return today's date where the office is."""
        return self.local_now().date()

    def local_date(self, moment: dt.datetime) -> dt.date:
        """Return the office's date of a stored (naive UTC) moment."""
        return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(self.config.timezone)).date()

    def close(self) -> None:
        """Release the index and the database connections."""
        self.index.close()
        self.db.dispose()
