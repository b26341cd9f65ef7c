"""Configuration of E-Arsip, read from EARSIP_* environment variables when an app is created.

Nothing here reads the environment at import time: `Config.from_env()` does, so tests can pass
their own `Config` with temporary folders.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from earsip import mail
from earsip.atomic import create_once

PROJECT_ROOT = Path(__file__).resolve().parent


# Production's password hashing: scrypt, N=2^15, r=8, p=1 (docs/ACCESS.md, "Accounts").
HASH_METHOD = "scrypt:32768:8:1"
# Password-hash methods Werkzeug accepts, with every parameter spelled out.
_METHOD_SYNTAX = re.compile(r"scrypt:(\d+):(\d+):(\d+)|pbkdf2:(sha256|sha512):(\d+)")


def _hash_method(method: str) -> str:
    """Return `method` in the form Werkzeug writes into a hash; ValueError when it is not usable.

    One hash is made with it here (as Werkzeug makes it, with its memory allowance of
    132·N·r·p bytes for scrypt), so parameters the library refuses stop the start rather than
    the first sign-in.
    """
    match = _METHOD_SYNTAX.fullmatch(method)
    if match is None:
        raise ValueError("must be scrypt:N:r:p or pbkdf2:sha256:iterations")
    try:
        if match.group(1) is not None:
            n, r, p = (int(g) for g in match.group(1, 2, 3))
            hashlib.scrypt(b"check", salt=b"salt", n=n, r=r, p=p, maxmem=132 * n * r * p)
            return f"scrypt:{n}:{r}:{p}"
        iterations = int(match.group(5))
        hashlib.pbkdf2_hmac(match.group(4), b"check", b"salt", iterations)
        return f"pbkdf2:{match.group(4)}:{iterations}"
    except (ValueError, OverflowError, MemoryError) as e:
        raise ValueError(f"cannot be used: {e}") from e


def _time_zone(name: str) -> str:
    """Return the time zone `name` (stripped); ValueError when the system does not know it."""
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError("must be a time zone name such as Asia/Jakarta") from e
    return name


def _pattern(*needed: str) -> AfterValidator:
    """A numbering pattern (str.format with seq, year, month, code, unit) naming `needed`."""
    def check(pattern: str) -> str:
        try:
            pattern.format(seq=1, year=2026, month=1, code="KA.00", unit="JI-XX")
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(f"has an unknown or malformed placeholder ({e})") from e
        missing = [n for n in needed if "{" + n not in pattern]
        if missing:
            raise ValueError("must contain " + " and ".join("{" + n + "}" for n in missing)
                             + " (numbers would repeat)")
        return pattern

    return AfterValidator(check)


def _smtp_url(url: str) -> str:
    """Return the SMTP URL (stripped) if it names a server and a sender; ValueError otherwise."""
    url = url.strip()
    mail.parse_url(url)
    return url


def _load_or_create_secret(path: Path) -> str:
    """Return the secret key kept in `path`, creating it (mode 0600) on first run."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    if not create_once(path, f"{key}\n".encode(), mode=0o600):
        key = path.read_text().strip()  # the first process to start wins; the others read its key
    return key


def _identity_retention(value: str) -> str:
    """`case`, or a whole number of years (0-100) after the case is closed."""
    value = value.strip().lower()
    if value != "case" and not (value.isdecimal() and 0 <= int(value) <= 100):
        raise ValueError("must be 'case' or a number of years (0-100)")
    return value if value == "case" else str(int(value))


def _at_least(floor: float) -> AfterValidator:
    """Raise a smaller value to `floor` (as the settings always have: a floor, not an error)."""
    return AfterValidator(lambda value: max(floor, value))


# Types of the variables: empty means unset (the default), like an absent variable.
Whole = int | None
AtLeastOne = Annotated[int, _at_least(1)] | None
Switch = bool | None  # 1/0, true/false, yes/no, on/off (any case)


class Environment(BaseModel):
    """The EARSIP_* variables, each with its type; unset (None) keeps `Config`'s default.

    Field names are those of `Config` where a variable sets one attribute; the variables that
    need more (instance folder, database, secret, cookies) are combined in `Config.from_env`.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    instance_dir: Path | None = Field(None, alias="EARSIP_INSTANCE_DIR")
    database_url: str | None = Field(None, alias="EARSIP_DATABASE_URL")
    secret_key: str | None = Field(None, alias="EARSIP_SECRET_KEY")
    secure_cookies: Switch = Field(None, alias="EARSIP_SECURE_COOKIES")
    upload_dir: Path | None = Field(None, alias="EARSIP_UPLOAD_DIR")
    index_dir: Path | None = Field(None, alias="EARSIP_INDEX_DIR")
    max_upload_mb: Whole = Field(None, alias="EARSIP_MAX_UPLOAD_MB")
    admin_password: str | None = Field(None, alias="EARSIP_ADMIN_PASSWORD")
    host: str | None = Field(None, alias="EARSIP_HOST")
    port: Whole = Field(None, alias="EARSIP_PORT")
    threads: Whole = Field(None, alias="EARSIP_THREADS")
    extract_timeout_s: Whole = Field(None, alias="EARSIP_EXTRACT_TIMEOUT")
    extract_memory_mb: Whole = Field(None, alias="EARSIP_EXTRACT_MEMORY_MB")
    retention_counting: Literal["document_date", "year_end"] | None = Field(
        None, alias="EARSIP_RETENTION_COUNTING")
    token_ttl_days: Whole = Field(None, alias="EARSIP_TOKEN_TTL_DAYS")
    db_busy_timeout_s: AtLeastOne = Field(None, alias="EARSIP_DB_BUSY_TIMEOUT")
    # AtLeastOne, fractions allowed (EARSIP_INDEX_LOCK_TIMEOUT=2.5), at least 0.1.
    index_writer_timeout_s: Annotated[float, _at_least(0.1)] | None = Field(
        None, alias="EARSIP_INDEX_LOCK_TIMEOUT", allow_inf_nan=False)
    index_catchup_s: AtLeastOne = Field(None, alias="EARSIP_INDEX_CATCHUP_SECONDS")
    search_cache_mb: Whole = Field(None, alias="EARSIP_SEARCH_CACHE_MB")
    # The engine's name; `earsip.search.open_backend` refuses one it does not know.
    search_backend: Annotated[str, AfterValidator(str.strip)] | None = Field(
        None, alias="EARSIP_SEARCH_BACKEND")
    env: Literal["development", "production"] | None = Field(None, alias="EARSIP_ENV")
    session_idle_minutes: Whole = Field(None, alias="EARSIP_SESSION_IDLE_MINUTES")
    session_max_hours: Whole = Field(None, alias="EARSIP_SESSION_MAX_HOURS")
    login_window_minutes: Whole = Field(None, alias="EARSIP_LOGIN_WINDOW_MINUTES")
    login_max_per_account: Whole = Field(None, alias="EARSIP_LOGIN_MAX_PER_ACCOUNT")
    login_max_per_address: Whole = Field(None, alias="EARSIP_LOGIN_MAX_PER_ADDRESS")
    password_hash_method: Annotated[str, AfterValidator(_hash_method)] | None = Field(
        None, alias="EARSIP_PASSWORD_HASH")
    proxy_hops: Whole = Field(None, alias="EARSIP_PROXY_HOPS")
    office_name: str | None = Field(None, alias="EARSIP_OFFICE_NAME")
    office_place: str | None = Field(None, alias="EARSIP_OFFICE_PLACE")
    timezone: Annotated[str, AfterValidator(_time_zone)] | None = Field(
        None, alias="EARSIP_TIMEZONE")
    disposal_code: str | None = Field(None, alias="EARSIP_DISPOSAL_CODE")
    audit_key_path: Path | None = Field(None, alias="EARSIP_AUDIT_KEY")
    scheduler: Switch = Field(None, alias="EARSIP_SCHEDULER")
    fixity_interval_days: Whole = Field(None, alias="EARSIP_FIXITY_INTERVAL_DAYS")
    ocr_command: str | None = Field(None, alias="EARSIP_TESSERACT")
    ocr_languages: str | None = Field(None, alias="EARSIP_OCR_LANGUAGES")
    ocr: Switch = Field(None, alias="EARSIP_OCR")
    searchable_copy: Switch = Field(None, alias="EARSIP_SEARCHABLE_COPY")
    queue_url: str | None = Field(None, alias="EARSIP_QUEUE_URL")
    worker: Switch = Field(None, alias="EARSIP_WORKER")
    worker_threads: AtLeastOne = Field(None, alias="EARSIP_WORKER_THREADS")
    job_attempts: AtLeastOne = Field(None, alias="EARSIP_JOB_ATTEMPTS")
    job_stale_s: Annotated[int, _at_least(5)] | None = Field(None, alias="EARSIP_JOB_STALE_SECONDS")
    office_code: str | None = Field(None, alias="EARSIP_OFFICE_CODE")
    agenda_format: Annotated[str, _pattern("seq", "year")] | None = Field(
        None, alias="EARSIP_AGENDA_FORMAT")
    letter_number_format: Annotated[str, _pattern("seq", "year")] | None = Field(
        None, alias="EARSIP_LETTER_NUMBER_FORMAT")
    letter_number_scope: Literal["year", "code_year"] | None = Field(
        None, alias="EARSIP_LETTER_NUMBER_SCOPE")
    signatories: str | None = Field(None, alias="EARSIP_SIGNATORIES")
    reservation_hours: AtLeastOne = Field(None, alias="EARSIP_NUMBER_RESERVATION_HOURS")
    instructions: str | None = Field(None, alias="EARSIP_DISPOSITION_INSTRUCTIONS")
    trust_roots: Path | None = Field(None, alias="EARSIP_TRUST_ROOTS")
    smtp_url: Annotated[str, AfterValidator(_smtp_url)] | None = Field(
        None, alias="EARSIP_SMTP_URL")
    case_number_format: Annotated[str, _pattern("seq", "year")] | None = Field(
        None, alias="EARSIP_CASE_NUMBER_FORMAT")
    case_codes: str | None = Field(None, alias="EARSIP_CASE_CODES")
    public_submit_limit: AtLeastOne = Field(None, alias="EARSIP_PUBLIC_SUBMIT_LIMIT")
    public_submit_window_s: AtLeastOne = Field(None, alias="EARSIP_PUBLIC_SUBMIT_WINDOW_SECONDS")
    public_lookup_limit: AtLeastOne = Field(None, alias="EARSIP_PUBLIC_LOOKUP_LIMIT")
    public_lookup_window_s: AtLeastOne = Field(None, alias="EARSIP_PUBLIC_LOOKUP_WINDOW_SECONDS")
    public_max_upload_mb: AtLeastOne = Field(None, alias="EARSIP_PUBLIC_MAX_UPLOAD_MB")
    public_min_fill_s: Whole = Field(None, alias="EARSIP_PUBLIC_MIN_FILL_SECONDS")
    identity_retention: Annotated[str, AfterValidator(_identity_retention)] | None = Field(
        None, alias="EARSIP_IDENTITY_RETENTION")

    @classmethod
    def read(cls, env: Mapping[str, str]) -> Environment:
        """Validate the EARSIP_* variables of `env`; exit with every bad one named when any is."""
        given = {name: value for name, value in env.items()
                 if name.startswith("EARSIP_") and value != ""}
        try:
            return cls.model_validate(given)
        except ValidationError as e:
            raise SystemExit(_explain(e)) from None


def _explain(error: ValidationError) -> str:
    """Return one line per refused variable: its name, what it must be, and what it was."""
    lines = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"])
        reason = problem["msg"].removeprefix("Value error, ")
        given = problem["input"]
        if name == "EARSIP_SMTP_URL" and isinstance(given, str):
            given = re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", given)  # never show a password
        lines.append(f"{name}: {reason}, got {given!r}")
    return "Invalid configuration:\n" + "\n".join(lines)


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
    # The search engine (earsip.search.BACKENDS): "whoosh", the embedded index in `index_dir`.
    search_backend: str = "whoosh"
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
    # The front desk (docs/DESK.md). The office's code in letter numbers (a placeholder until
    # the office sets its own: the Kota Mojokerto code is not confirmed).
    office_code: str = "JI-XX"
    # The agenda number of an incoming letter: {seq} per year, {year}.
    agenda_format: str = "{seq}/SM/{year}"
    # An outgoing letter's number: {seq} (with its back-dated insert), {code}, {unit},
    # {month} and {year}; the sequence runs per "year" or per "code_year".
    letter_number_format: str = "{seq}/{code}/{unit}/{month:02}/{year}"
    letter_number_scope: str = "year"
    # Who signs outgoing letters, each with the unit written in the number
    # ("ketua=K.JI-16,sekretariat=JI-16"); empty: ketua (K.<office code>) and sekretariat.
    signatories: str = ""
    # A reserved number not used within this many hours is cancelled (never reissued).
    reservation_hours: int = 72
    # The instructions offered on a disposition (separated by ";"); free text is allowed too.
    instructions: str = ("tindak lanjuti;pelajari;hadiri;arsipkan;jawab;koordinasikan;"
                         "untuk diketahui;edarkan")
    # A folder of PEM certificates the office trusts as roots for signed PDFs (none bundled).
    trust_roots: Path | None = None
    # Where notification e-mails go out (earsip.mail: smtp://user:pass@host:587?starttls=1&
    # from=arsip@example.go.id); empty: no e-mail, notifications stay in the app.
    smtp_url: str = field(default="", repr=False)
    # The registration number of a case brought to the desk (permohonan informasi, keberatan,
    # laporan, ...): {seq} per year, {year}, {month} (docs/DESK.md).
    case_number_format: str = "{seq:04}/LSP/{year}"
    # The classification code each case type's documents are filed under ("type=code;...");
    # a type not named here keeps its default (services/cases/types.py).
    case_codes: str = ""
    # The public pages and API (docs/PUBLIC.md): submissions (a request, an objection) and
    # lookups (tracking, a receipt's PDF) allowed per client address in a fixed window, counted
    # in the database so that every server process shares them; the upload limit of a public
    # form; how long a person takes at least to fill a form (faster: a bot, refused).
    public_submit_limit: int = 10
    public_submit_window_s: int = 3600
    public_lookup_limit: int = 30
    public_lookup_window_s: int = 60
    public_max_upload_mb: int = 10
    public_min_fill_s: int = 3
    # How long a case's identity scans are kept (docs/REGISTERS.md): "case" (the retention of
    # the case's classification code, like its other documents) or a number of years after
    # the case is closed.
    identity_retention: str = "case"
    testing: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Build the configuration from EARSIP_* variables (os.environ by default).

        A variable that is not valid stops the start (SystemExit) with a message naming it.
        """
        given = Environment.read(os.environ if env is None else env)
        base = cls()
        instance_dir = given.instance_dir or base.instance_dir
        mode = given.env or base.env
        settings = given.model_dump(exclude_none=True, exclude={"secure_cookies"})
        settings.update(
            instance_dir=instance_dir,
            database_url=given.database_url or f"sqlite:///{instance_dir / 'earsip.sqlite3'}",
            secret_key=given.secret_key or _load_or_create_secret(instance_dir / "secret_key"),
            session_cookie_secure=(mode == "production" if given.secure_cookies is None
                                   else given.secure_cookies),
        )
        config = replace(base, **settings)
        if config.letter_number_scope == "code_year" and "{code" not in \
                config.letter_number_format:
            raise SystemExit("Invalid configuration:\nEARSIP_LETTER_NUMBER_FORMAT: must contain "
                             "{code} when EARSIP_LETTER_NUMBER_SCOPE is code_year (numbers "
                             "would repeat)")
        if config.search_backend == "postgres" and not config.database_url.startswith(
                "postgresql"):
            # The same words as earsip.search.backend's refusal (which config may not import).
            raise SystemExit("Invalid configuration:\nEARSIP_SEARCH_BACKEND: postgres keeps the "
                             "search index in the archive's database, so EARSIP_DATABASE_URL "
                             "must name a PostgreSQL database (postgresql+psycopg://...), not "
                             + config.database_url.split(":", 1)[0])
        return config

    @property
    def audit_key_file(self) -> Path:
        """Return where the audit-checkpoint signing key is kept."""
        return self.audit_key_path or self.instance_dir / "audit_ed25519.pem"

    @property
    def transfer_dir(self) -> Path:
        """Return the folder where transfer packages (BagIt) are written."""
        return self.instance_dir / "transfers"

    @property
    def signatory_units(self) -> dict[str, str]:
        """Return each signatory of outgoing letters with the unit its numbers carry."""
        if not self.signatories.strip():
            return {"ketua": f"K.{self.office_code}", "sekretariat": self.office_code}
        pairs = (item.partition("=") for item in self.signatories.split(",") if item.strip())
        return {name.strip(): unit.strip() for name, _, unit in pairs}

    @property
    def instruction_list(self) -> tuple[str, ...]:
        """Return the disposition instructions offered, in order."""
        return tuple(i.strip() for i in self.instructions.split(";") if i.strip())

    @property
    def max_upload_bytes(self) -> int:
        """Return the upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def public_max_upload_bytes(self) -> int:
        """Return the upload limit of the public forms in bytes (never above the staff's)."""
        return min(self.public_max_upload_mb, self.max_upload_mb) * 1024 * 1024


# Cheap on purpose: the same algorithm as production at a tiny cost (tests only).
TEST_HASH_METHOD = "scrypt:128:8:1"


def make_test_config(tmp: Path, **overrides: Any) -> Config:
    """Return a Config whose data lives under `tmp` (used by the test-suite)."""
    values: dict[str, Any] = {
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
        # The public forms' minimum fill time would slow every test that submits one; the
        # tests of the bot trap set it back.
        "public_min_fill_s": 0,
    }
    values.update(overrides)
    return replace(Config(), **values)
