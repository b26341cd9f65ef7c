"""The EARSIP_* variables: declared types, the same defaults, refusals naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Config

# Without a secret key the first start writes one into the instance folder; these tests give one.
BASE = {"EARSIP_SECRET_KEY": "k"}


def _load(tmp_path: Path, **variables: str) -> Config:
    return Config.from_env({**BASE, "EARSIP_INSTANCE_DIR": str(tmp_path), **variables})


def test_with_no_variables_every_setting_keeps_its_default(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    default = Config()
    for name in ("upload_dir", "index_dir", "max_upload_mb", "host", "port", "threads",
                 "index_writer_timeout_s", "retention_counting", "env", "password_hash_method",
                 "timezone", "scheduler", "ocr", "searchable_copy", "queue_url", "worker",
                 "worker_threads", "job_attempts", "job_stale_s", "audit_key_path"):
        assert getattr(loaded, name) == getattr(default, name), name
    assert loaded.instance_dir == tmp_path
    assert loaded.database_url == f"sqlite:///{tmp_path / 'earsip.sqlite3'}"
    assert loaded.secret_key == "k"
    assert not loaded.session_cookie_secure


def test_an_empty_variable_means_the_default_as_an_absent_one_does(tmp_path: Path) -> None:
    loaded = _load(tmp_path, EARSIP_PORT="", EARSIP_OCR="", EARSIP_RETENTION_COUNTING="",
                   EARSIP_HOST="")
    assert (loaded.port, loaded.ocr, loaded.retention_counting, loaded.host) == (
        5000, True, "document_date", "127.0.0.1")


def test_each_kind_of_variable_is_read_into_its_type(tmp_path: Path) -> None:
    loaded = _load(tmp_path, EARSIP_UPLOAD_DIR="/srv/arsip/berkas", EARSIP_PORT=" 8080 ",
                   EARSIP_OFFICE_NAME="Bawaslu Kabupaten Jombang", EARSIP_OCR="off",
                   EARSIP_WORKER="No", EARSIP_SCHEDULER="1",
                   EARSIP_RETENTION_COUNTING="year_end", EARSIP_AUDIT_KEY="/etc/earsip/k.pem",
                   EARSIP_TIMEZONE=" Asia/Makassar ", EARSIP_DATABASE_URL="sqlite:///x.db")
    assert loaded.upload_dir == Path("/srv/arsip/berkas")
    assert loaded.port == 8080
    assert loaded.office_name == "Bawaslu Kabupaten Jombang"
    assert (loaded.ocr, loaded.worker, loaded.scheduler) == (False, False, True)
    assert loaded.retention_counting == "year_end"
    assert loaded.audit_key_file == Path("/etc/earsip/k.pem")
    assert loaded.timezone == "Asia/Makassar"
    assert loaded.database_url == "sqlite:///x.db"


def test_the_index_lock_timeout_takes_fractions_of_a_second(tmp_path: Path) -> None:
    assert _load(tmp_path, EARSIP_INDEX_LOCK_TIMEOUT="2.5").index_writer_timeout_s == 2.5
    assert _load(tmp_path, EARSIP_INDEX_LOCK_TIMEOUT="3").index_writer_timeout_s == 3.0
    assert _load(tmp_path, EARSIP_INDEX_LOCK_TIMEOUT="0").index_writer_timeout_s == 0.1
    with pytest.raises(SystemExit, match="EARSIP_INDEX_LOCK_TIMEOUT"):
        _load(tmp_path, EARSIP_INDEX_LOCK_TIMEOUT="inf")


def test_values_below_a_settings_floor_are_raised_to_it_as_before(tmp_path: Path) -> None:
    loaded = _load(tmp_path, EARSIP_DB_BUSY_TIMEOUT="0", EARSIP_WORKER_THREADS="-2",
                   EARSIP_JOB_ATTEMPTS="0", EARSIP_JOB_STALE_SECONDS="1",
                   EARSIP_INDEX_CATCHUP_SECONDS="0")
    assert (loaded.db_busy_timeout_s, loaded.worker_threads, loaded.job_attempts,
            loaded.job_stale_s, loaded.index_catchup_s) == (1, 1, 1, 5, 1)


def test_secure_cookies_follow_the_mode_unless_set(tmp_path: Path) -> None:
    assert _load(tmp_path, EARSIP_ENV="production").session_cookie_secure
    assert not _load(tmp_path, EARSIP_ENV="production",
                     EARSIP_SECURE_COOKIES="0").session_cookie_secure
    assert _load(tmp_path, EARSIP_SECURE_COOKIES="1").session_cookie_secure


def test_a_bad_value_stops_the_start_naming_the_variable_and_what_it_must_be(
        tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        _load(tmp_path, EARSIP_PORT="80a", EARSIP_OCR="barangkali", EARSIP_ENV="staging")
    message = str(stopped.value)
    assert "EARSIP_PORT: Input should be a valid integer" in message
    assert "got '80a'" in message
    assert "EARSIP_OCR: Input should be a valid boolean" in message
    assert "EARSIP_ENV: Input should be 'development' or 'production'" in message


def test_a_whole_number_setting_refuses_a_fraction(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="EARSIP_MAX_UPLOAD_MB: .*got '1.5'"):
        _load(tmp_path, EARSIP_MAX_UPLOAD_MB="1.5")


def test_other_variables_are_left_alone(tmp_path: Path) -> None:
    loaded = _load(tmp_path, EARSIP_FAULTS="ingest.received", HOME="/root")
    assert loaded.port == 5000


def test_without_a_secret_key_the_first_start_keeps_one_in_the_instance_folder(
        tmp_path: Path) -> None:
    first = Config.from_env({"EARSIP_INSTANCE_DIR": str(tmp_path)})
    again = Config.from_env({"EARSIP_INSTANCE_DIR": str(tmp_path)})
    assert len(first.secret_key) == 64 and first.secret_key == again.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
