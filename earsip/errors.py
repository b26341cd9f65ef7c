"""One exception hierarchy for E-Arsip; entry points translate it to HTTP, HTML or exit codes.

A message is a template in Bahasa Indonesia with `%(name)s` placeholders filled from `params`:
`message` is the filled text (logs, CLI, API), while the browser looks `template` up in its
translation catalog and fills it with the same `params`. Every error class is a keyword of the
message extraction (`earsip/web/catalog.py`), so its first argument must be a literal template.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping


def N_(message: str) -> str:
    """Mark a message template for translation where it is defined, not where it is shown."""
    return message


class EarsipError(Exception):
    """Base of every error the application raises on purpose."""

    code = "error"
    http_status = 400
    retry_after_s: int | None = None  # sent as Retry-After (a 503 the client may retry)

    def __init__(self, message: str, *, field: str | None = None,
                 params: Mapping[str, object] | None = None, **extra: object) -> None:
        self.template = message
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.field = field
        self.extra = extra


class ValidationError(EarsipError):
    """A field is missing or invalid."""

    code = "invalid"
    http_status = 400


class NotFound(EarsipError):
    """The object does not exist, or the user may not know that it exists."""

    code = "not_found"
    http_status = 404


class AuthError(EarsipError):
    """Credentials are missing or wrong."""

    code = "unauthorized"
    http_status = 401


class Throttled(AuthError):
    """Too many failed sign-ins from this address, or for this account from untrusted devices."""

    code = "too_many_attempts"
    http_status = 429


class Forbidden(EarsipError):
    """The user is known but may not do this."""

    code = "forbidden"
    http_status = 403


class PasswordChangeRequired(Forbidden):
    """The account still has a temporary password an administrator set: the user must choose one."""

    code = "password_change_required"


class Duplicate(EarsipError):
    """A file with the same SHA-256 is already filed.

    `existing_id` is told to the client only when the client may see that document;
    `audit_id` always names it, for the audit trail.
    """

    code = "duplicate"
    http_status = 409

    def __init__(self, message: str, *, existing_id: int | None, audit_id: int,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, params=params)
        if existing_id is not None:
            self.extra["existing_id"] = existing_id
        self.existing_id = existing_id
        self.audit_id = audit_id


class TooLarge(EarsipError):
    """The upload is larger than the configured limit."""

    code = "too_large"
    http_status = 413


class UnsupportedType(EarsipError):
    """The content type is not on the allowlist, or does not match the file name.

    The message says in plain words what the user can do; `detail` keeps the parser's own
    account (exception class and text) for the audit entry, and is never shown to the user.
    """

    code = "unsupported_type"
    http_status = 415

    def __init__(self, message: str, *, detail: str | None = None,
                 params: Mapping[str, object] | None = None, **extra: object) -> None:
        super().__init__(message, params=params)
        self.extra.update(extra)
        self.detail = detail


class UnreadableFile(UnsupportedType):
    """The content claims an allowed type but cannot be parsed as that type."""

    code = "unreadable_file"


class StorageError(EarsipError):
    """The file store could not store or read a file."""

    code = "storage_error"
    http_status = 507


class StorageFull(StorageError):
    """No space is left (or the file-size limit is reached) where files are stored."""

    code = "storage_full"
    # The failed writes it stands for: no space left, over quota, over the file-size limit.
    ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
    MESSAGE = N_("Ruang penyimpanan arsip penuh; berkas tidak disimpan. Beri tahu "
                 "administrator, lalu unggah lagi.")


class BackupFailed(EarsipError):
    """A backup could not be made, or restored, as asked (docs/DEPLOYMENT.md)."""

    code = "backup_failed"
    http_status = 500


class KeyMissing(EarsipError):
    """A key the deployment already used is missing (the audit signing key after a restore that
    left it out, or on a server that does not share it); nothing is signed until it is back."""

    code = "key_missing"
    http_status = 503


class DatabaseBusy(EarsipError):
    """The database stayed locked by another writer for longer than the wait allows."""

    code = "database_busy"
    http_status = 503
    retry_after_s = 5


class SearchUnavailable(EarsipError):
    """The search index cannot answer right now."""

    code = "search_unavailable"
    http_status = 503
    retry_after_s = 10


class QuerySyntaxError(ValidationError):
    """The search query cannot be parsed."""

    code = "invalid_query"


class TrustRootsInvalid(EarsipError):
    """The folder of signature trust roots (EARSIP_TRUST_ROOTS) is missing or not certificates."""

    code = "trust_roots_invalid"
    http_status = 500


class Conflict(EarsipError):
    """The request clashes with the object's state (e.g. a list already approved)."""

    code = "conflict"
    http_status = 409


class OnHold(Conflict):
    """A legal hold covers a document that an action would dispose of."""

    code = "on_hold"


class NotDisposable(Conflict):
    """A document is not (or no longer) eligible for the disposition asked for."""

    code = "not_disposable"


class Gone(EarsipError):
    """The document's content was destroyed (or handed over); its tombstone remains."""

    code = "gone"
    http_status = 410


class OcrUnavailable(EarsipError):
    """Tesseract (or one of its languages) is not installed."""

    code = "ocr_unavailable"
    http_status = 503


class OcrFailed(EarsipError):
    """A page could not be recognised (time limit, unreadable image, Tesseract error)."""

    code = "ocr_failed"
    http_status = 422


class MailFailed(EarsipError):
    """The mail server could not be reached, refused to authenticate or refused a message."""

    code = "mail_failed"
    http_status = 502


class JobGaveUp(EarsipError):
    """A background job failed in a way another attempt cannot fix (failed at once)."""

    code = "job_failed"
    http_status = 422
