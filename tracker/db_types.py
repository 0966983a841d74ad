"""Column types shared by the features' models."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class StrEnumType(TypeDecorator[StrEnum]):
    """A StrEnum stored as its plain string (VARCHAR(length)): the schema is the same as a String
    column's, and rows read back as enum members, so code compares and matches on the enum.

    `mapped_column(StrEnumType(CaseStatus, 20), default=CaseStatus.ACTIVE)` for
    `status: Mapped[CaseStatus]`. A stored value the enum does not know raises on load: a
    database edited behind the app's back fails loudly.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        if value is None:
            return None
        return self.enum(value)
