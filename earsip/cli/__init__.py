"""The `earsip` command: thin wrappers that call one service each and format the result.

`main` is the click group; each module registers the commands of one area on it.
"""

from earsip.cli import (
    audit,
    backup,
    core,
    fixity,
    jobs,
    ocr,
    offices,
    retention,
    suggest,
    tasks,
    worker,
)
from earsip.cli.common import main
from earsip.cli.webserver import server_options

__all__ = ["audit", "backup", "core", "fixity", "jobs", "main", "ocr", "offices", "retention",
           "server_options", "suggest", "tasks", "worker"]
