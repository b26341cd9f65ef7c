"""Configuration of E-Arsip, read from EARSIP_* environment variables when an app is created.

Nothing here reads the environment at import time: `Config.from_env()` does, so tests can pass
their own `Config` with temporary folders.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent



def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from e


def _env_timezone(env: dict[str, str], default: str) -> str:
    raw = (env.get("EARSIP_TIMEZONE") or "").strip()
    if not raw:
        return default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise SystemExit(f"EARSIP_TIMEZONE must be a time zone name such as Asia/Jakarta, "
                         f"got {raw!r}") from e
    return raw


# Production's password hashing: scrypt, N=2^15, r=8, p=1 (docs/ACCESS.md, "Accounts").
HASH_METHOD = "scrypt:32768:8:1"
# Password-hash methods Werkzeug accepts, with every parameter spelled out.
_METHOD_SYNTAX = re.compile(r"scrypt:(\d+):(\d+):(\d+)|pbkdf2:(sha256|sha512):(\d+)")


def _hash_method(method: str) -> str:
    """Return `method` in the form Werkzeug writes into a hash, or exit when it is not usable.

    One hash is made with it here (as Werkzeug makes it, with its memory allowance of
    132·N·r·p bytes for scrypt), so parameters the library refuses stop the start rather than
    the first sign-in.
    """
    match = _METHOD_SYNTAX.fullmatch(method)
    if match is None:
        raise SystemExit("EARSIP_PASSWORD_HASH must be scrypt:N:r:p or pbkdf2:sha256:iterations"
                         f", got {method!r}")
    try:
        if match.group(1) is not None:
            n, r, p = (int(g) for g in match.group(1, 2, 3))
            hashlib.scrypt(b"check", salt=b"salt", n=n, r=r, p=p, maxmem=132 * n * r * p)
            return f"scrypt:{n}:{r}:{p}"
        iterations = int(match.group(5))
        hashlib.pbkdf2_hmac(match.group(4), b"check", b"salt", iterations)
        return f"pbkdf2:{match.group(4)}:{iterations}"
    except (ValueError, OverflowError, MemoryError) as e:
        raise SystemExit(f"EARSIP_PASSWORD_HASH {method!r} cannot be used: {e}") from e


def _load_or_create_secret(path: Path) -> str:
    """Return the secret key kept in `path`, creating it (mode 0600) on first run."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # the first process to start wins; the others read its key
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key


@dataclass(frozen=True)
class Config:
    """Every setting of the application, with the embedded defaults."""

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'instance' / 'earsip.sqlite3'}"
    upload_dir: Path = PROJECT_ROOT / "uploads"
    index_dir: Path = PROJECT_ROOT / "index"
    instance_dir: Path = PROJECT_ROOT / "instance"
    max_upload_mb: int = 100
    secret_key: str = ""
    admin_password: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    threads: int = 8
    # Extraction runs in a child process bounded by these limits.
    extract_timeout_s: int = 60
    extract_memory_mb: int = 1024
    # Retention counting: "document_date" (from the record's own date) or "year_end"
    # (from 1 January after the record's year, so a whole year's files move together).
    retention_counting: str = "document_date"
    token_ttl_days: int = 90
    # How long a write waits for another writer's lock before answering 503 (SQLite's busy
    # timeout, PostgreSQL's lock_timeout).
    db_busy_timeout_s: int = 15
    # How long an index update waits for the index's write lock (held by another process, say)
    # before the document is left queued for the catch-up, which runs every
    # `index_catchup_s` seconds in `earsip serve`.
    index_writer_timeout_s: float = 10.0
    index_catchup_s: int = 10
    # Memory for the decoded postings of frequent words (per process; 0 turns the cache off).
    search_cache_mb: int = 256
    # "production" turns on secure cookies (HTTPS only) and HSTS unless told otherwise.
    env: str = "development"
    session_cookie_secure: bool = False
    # Browser sessions end after this long without a request, and this long after sign-in.
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Sign-in throttling: failures counted over a sliding window, per address and per account
    # (the latter only among devices the user has not signed in from; docs/ACCESS.md).
    login_window_minutes: int = 15
    login_max_per_account: int = 10
    login_max_per_address: int = 30
    # How passwords are hashed (Werkzeug method string): scrypt with N=2^15, r=8, p=1 (32 MiB,
    # about 50 ms a check) in production. Tests set a cheap one; existing hashes of any method
    # keep verifying, and a hash of another method is replaced at the user's next sign-in.
    password_hash_method: str = HASH_METHOD
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are to be believed.
    proxy_hops: int = 0
    # The office named on berita acara and transfer packages, and the place they are signed.
    office_name: str = "Bawaslu Kota Mojokerto"
    office_place: str = "Mojokerto"
    # The office's time zone: how pages, exports and papers show times (the API keeps UTC
    # offsets in ISO 8601). Indonesian zones are named WIB, WITA, WIT.
    timezone: str = "Asia/Jakarta"
    # The classification code under which berita acara and destruction lists are filed.
    disposal_code: str = "KA.01.04"
    # The Ed25519 key that signs audit checkpoints (default: instance/audit_ed25519.pem).
    audit_key_path: Path | None = None
    # Background tasks of `earsip serve`: the daily retention run and audit checkpoint, and the
    # fixity check every `fixity_interval_days`. Off in tests and with EARSIP_SCHEDULER=0.
    scheduler: bool = True
    fixity_interval_days: int = 7
    # OCR of scans: the Tesseract command and its languages (Debian tesseract-ocr(-ind)).
    ocr_command: str = "tesseract"
    ocr_languages: str = "ind+eng"
    # Scans are queued for OCR when filed (EARSIP_OCR=0: never; they stay `empty`).
    ocr: bool = True
    # OCR also makes the searchable PDF/A copy of a scan with OCRmyPDF (EARSIP_SEARCHABLE_COPY=0:
    # text only).
    searchable_copy: bool = True
    # Retired (EARSIP_QUEUE_URL): the worker takes its work from the jobs table; a value set is
    # ignored, with a warning at the worker's start-up (docs/OCR.md).
    queue_url: str = ""
    # `earsip serve` starts the worker beside itself (EARSIP_WORKER=0 when it runs elsewhere,
    # e.g. its own `earsip worker` service); the worker runs `worker_threads` jobs at once.
    worker: bool = True
    worker_threads: int = 1
    # A job is tried this many times; a running job whose worker has not reported for
    # `job_stale_s` seconds is taken back (its worker died) and queued again.
    job_attempts: int = 3
    job_stale_s: int = 120
    testing: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        """Build the configuration from EARSIP_* variables (os.environ by default)."""
        env = dict(os.environ if env is None else env)
        base = cls()
        instance_dir = Path(env.get("EARSIP_INSTANCE_DIR") or base.instance_dir)
        secret = env.get("EARSIP_SECRET_KEY") or _load_or_create_secret(instance_dir / "secret_key")
        counting = env.get("EARSIP_RETENTION_COUNTING", base.retention_counting)
        mode = env.get("EARSIP_ENV") or base.env
        if mode not in ("development", "production"):
            raise SystemExit("EARSIP_ENV must be development or production")
        secure = env.get("EARSIP_SECURE_COOKIES")
        if counting not in ("document_date", "year_end"):
            raise SystemExit("EARSIP_RETENTION_COUNTING must be document_date or year_end")
        return replace(
            base,
            database_url=env.get("EARSIP_DATABASE_URL")
            or f"sqlite:///{instance_dir / 'earsip.sqlite3'}",
            upload_dir=Path(env.get("EARSIP_UPLOAD_DIR") or base.upload_dir),
            index_dir=Path(env.get("EARSIP_INDEX_DIR") or base.index_dir),
            instance_dir=instance_dir,
            max_upload_mb=_env_int(env, "EARSIP_MAX_UPLOAD_MB", base.max_upload_mb),
            secret_key=secret,
            admin_password=env.get("EARSIP_ADMIN_PASSWORD") or None,
            host=env.get("EARSIP_HOST") or base.host,
            port=_env_int(env, "EARSIP_PORT", base.port),
            threads=_env_int(env, "EARSIP_THREADS", base.threads),
            extract_timeout_s=_env_int(env, "EARSIP_EXTRACT_TIMEOUT", base.extract_timeout_s),
            extract_memory_mb=_env_int(env, "EARSIP_EXTRACT_MEMORY_MB", base.extract_memory_mb),
            retention_counting=counting,
            token_ttl_days=_env_int(env, "EARSIP_TOKEN_TTL_DAYS", base.token_ttl_days),
            db_busy_timeout_s=max(1, _env_int(env, "EARSIP_DB_BUSY_TIMEOUT",
                                                  base.db_busy_timeout_s)),
            index_writer_timeout_s=max(0.1, float(_env_int(env, "EARSIP_INDEX_LOCK_TIMEOUT",
                                                           int(base.index_writer_timeout_s)))),
            index_catchup_s=max(1, _env_int(env, "EARSIP_INDEX_CATCHUP_SECONDS",
                                            base.index_catchup_s)),
            search_cache_mb=_env_int(env, "EARSIP_SEARCH_CACHE_MB", base.search_cache_mb),
            env=mode,
            session_cookie_secure=(mode == "production") if not secure else secure == "1",
            session_idle_minutes=_env_int(env, "EARSIP_SESSION_IDLE_MINUTES",
                                          base.session_idle_minutes),
            session_max_hours=_env_int(env, "EARSIP_SESSION_MAX_HOURS", base.session_max_hours),
            login_window_minutes=_env_int(env, "EARSIP_LOGIN_WINDOW_MINUTES",
                                          base.login_window_minutes),
            login_max_per_account=_env_int(env, "EARSIP_LOGIN_MAX_PER_ACCOUNT",
                                           base.login_max_per_account),
            login_max_per_address=_env_int(env, "EARSIP_LOGIN_MAX_PER_ADDRESS",
                                           base.login_max_per_address),
            password_hash_method=_hash_method(env.get("EARSIP_PASSWORD_HASH")
                                              or base.password_hash_method),
            proxy_hops=_env_int(env, "EARSIP_PROXY_HOPS", base.proxy_hops),
            office_name=env.get("EARSIP_OFFICE_NAME") or base.office_name,
            office_place=env.get("EARSIP_OFFICE_PLACE") or base.office_place,
            timezone=_env_timezone(env, base.timezone),
            disposal_code=env.get("EARSIP_DISPOSAL_CODE") or base.disposal_code,
            audit_key_path=Path(env["EARSIP_AUDIT_KEY"]) if env.get("EARSIP_AUDIT_KEY") else None,
            scheduler=env.get("EARSIP_SCHEDULER", "1") not in ("0", "false", "no", "off"),
            fixity_interval_days=_env_int(env, "EARSIP_FIXITY_INTERVAL_DAYS",
                                          base.fixity_interval_days),
            ocr_command=env.get("EARSIP_TESSERACT") or base.ocr_command,
            ocr_languages=env.get("EARSIP_OCR_LANGUAGES") or base.ocr_languages,
            ocr=env.get("EARSIP_OCR", "1") not in ("0", "false", "no", "off"),
            searchable_copy=env.get("EARSIP_SEARCHABLE_COPY", "1") not in ("0", "false", "no",
                                                                           "off"),
            queue_url=env.get("EARSIP_QUEUE_URL") or base.queue_url,
            worker=env.get("EARSIP_WORKER", "1") not in ("0", "false", "no", "off"),
            worker_threads=max(1, _env_int(env, "EARSIP_WORKER_THREADS", base.worker_threads)),
            job_attempts=max(1, _env_int(env, "EARSIP_JOB_ATTEMPTS", base.job_attempts)),
            job_stale_s=max(5, _env_int(env, "EARSIP_JOB_STALE_SECONDS", base.job_stale_s)),
        )

    @property
    def audit_key_file(self) -> Path:
        """Return where the audit-checkpoint signing key is kept."""
        return self.audit_key_path or self.instance_dir / "audit_ed25519.pem"

    @property
    def transfer_dir(self) -> Path:
        """Return the folder where transfer packages (BagIt) are written."""
        return self.instance_dir / "transfers"

    @property
    def max_upload_bytes(self) -> int:
        """Return the upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024


# Cheap on purpose: the same algorithm as production at a tiny cost (tests only).
TEST_HASH_METHOD = "scrypt:128:8:1"


def make_test_config(tmp: Path, **overrides: object) -> Config:
    """Return a Config whose data lives under `tmp` (used by the test-suite)."""
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp / 'earsip.sqlite3'}",
        "upload_dir": tmp / "uploads",
        "index_dir": tmp / "index",
        "instance_dir": tmp / "instance",
        "secret_key": "test-secret",
        "admin_password": "admin-pass-123",
        "testing": True,
        "scheduler": False,
        "worker": False,
        "extract_timeout_s": 20,
        # Production's scrypt costs 32 MiB and ~50 ms a hash; the suite hashes thousands.
        "password_hash_method": TEST_HASH_METHOD,
    }
    values.update(overrides)
    return replace(Config(), **values)  # type: ignore[arg-type]
