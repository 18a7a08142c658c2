"""Typed statistics tables of the national format (表二/表三/表四), read from the table grids.

Filled by ``disclosure_check.parse.statistics``; the layouts themselves are declared in profiles.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StatisticsTables(BaseModel):
    """Placeholder container; the table extraction work fills in the typed tables."""

    model_config = ConfigDict(extra="forbid")

    notes: list[str] = Field(default_factory=list)


class TableSpec(BaseModel):
    """A statistics table a profile expects (its layout details are declared here too)."""

    model_config = ConfigDict(extra="forbid")

    key: str  # "table2" | "table3" | "table4"
    title: str  # the official title, e.g. "收到和处理政府信息公开申请情况"
    section: str | None = None  # the section key it belongs in
    required: bool = True
    layout: str | None = None  # "2019" | "2021"
