"""Notifications: what waits on the signed-in user (in the app), and what a digest mailed."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from earsip.schemas.base import Model

Kind = Literal["disposition.new", "disposition.due_today", "disposition.due_tomorrow",
               "disposition.overdue", "case.overdue", "case.due_today",
               "case.due_soon", "case.step",
               "disposal.awaiting", "declassification.awaiting"]
Param = str | int


class Notification(Model):
    """One thing waiting on the user: a message template (Bahasa Indonesia, marked with N_ so
    the page translates it) filled from `params`, and what it links to (`target`: an endpoint
    and its arguments, plain values; `_anchor` is the fragment)."""

    kind: Kind
    key: str  # kind and object ("disposition.new:12"): the same thing keeps the same key
    message: str
    params: dict[str, Param]
    target: tuple[str, dict[str, Param]]
    due_date: dt.date | None = None
    at: dt.datetime | None = None  # when it arose (naive UTC)
    security: str = "biasa"  # the class of the letter or records it concerns


class Notifications(Model):
    """What waits on the user, the most pressing first (overdue, due tomorrow, new,
    then the archive's own events), and how many."""

    items: list[Notification]
    count: int


class DigestResult(Model):
    """One round of notification e-mails: whether e-mail is configured, how many users were
    looked at, how many messages went out or failed, and how many notifications they held."""

    configured: bool
    users: int = 0
    sent: int = 0
    failed: int = 0
    items: int = 0
