"""The public pages' rate limits: how many submissions and lookups one client address made in
one fixed window, shared by every server process (services/access/public_limits.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from earsip.models.base import Base


class PublicLimitCount(Base):
    """The requests of one kind ("submit", "lookup") from one client (an address, an IPv6
    /64) in the window starting at `window_start`; rows of past windows are pruned."""

    __tablename__ = "public_limit_counts"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
