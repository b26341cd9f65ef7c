"""Reading a free-text field of a form the same way everywhere: trimmed, required or not, and
no longer than the column that keeps it."""

from __future__ import annotations

from typing import overload

from earsip.errors import ValidationError


@overload
def text_field(value: str | None, field: str, label: str, *, limit: int) -> str: ...


@overload
def text_field(value: str | None, field: str, label: str, *, limit: int,
               required: bool) -> str | None: ...


def text_field(value: str | None, field: str, label: str, *, limit: int,
               required: bool = True) -> str | None:
    """Return the trimmed text (None when empty and optional), or raise naming `label`.

    `label` is a message (marked with N_) so that the browser shows it translated.
    """
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError("%(label)s wajib diisi.", field=field, params={"label": label})
        return None
    if len(text) > limit:
        raise ValidationError("%(label)s terlalu panjang (maksimal %(max)d karakter).",
                              field=field, params={"label": label, "max": limit})
    return text
