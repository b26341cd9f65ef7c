"""Which process made a temporary file, and whether that process still runs.

Temporary files and claims are named after the process that made them (`owner_tag`): its
machine (host name, boot, PID namespace), number and start time, so a later process can tell
whether they were left by a process that is gone (`owner_alive`), even when its number has been
reused since.
"""

from __future__ import annotations

import functools
import os
import re
import socket


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """Return when process `pid` started (clock ticks after boot), or "" when unknown."""
    fields = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of proc(5)


@functools.cache
def _machine() -> str:
    """Return where a process number means one process: host name, boot and PID namespace."""
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
    boot = _read("/proc/sys/kernel/random/boot_id").strip().replace("-", "")[:8] or "0"
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{host}-{boot}-{namespace}"


_tag: tuple[int, str] = (0, "")


def owner_tag() -> str:
    """Return `<machine>.<pid>-<start>`, the prefix of this process's temporary files and
    claims: enough to tell later whether the process that made them still runs."""
    global _tag
    pid = os.getpid()
    if _tag[0] != pid:  # first use, or a forked child
        _tag = (pid, f"{_machine()}.{pid}-{_start_ticks(pid)}")
    return _tag[1]


def owner_alive(name: str) -> bool | None:
    """Return whether the process that named a temporary file `name` still runs: None when
    that cannot be told (an older name, or a process of another host, boot or PID namespace
    sharing the folder). A process number now used by a later process counts as gone."""
    machine, _, rest = name.partition(".")
    pid, _, start = rest.partition(".")[0].partition("-")
    if machine != _machine() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user: tell by its start time
        pass
    return not start or _start_ticks(int(pid)) in ("", start)
