"""Explicit API schemas: public views of loads, measures, PTL rows, pathways, users and audit entries.

Separate models for creating, updating and showing users, so a client can never set a password hash or
read one.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AuditPublic",
    "EventPublic",
    "ExplanationPublic",
    "HeadlinePublic",
    "LoadPublic",
    "OverviewPublic",
    "Page",
    "PathwayPublic",
    "PeriodPublic",
    "PtlPagePublic",
    "PtlRowPublic",
    "PublishedMonthPublic",
    "SpecialtyPublic",
    "TrendPointPublic",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
]

Role = Literal["viewer", "ptl", "admin"]


class LoadPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    provider_code: str
    provider_name: str
    census_date: dt.date
    loaded_at: dt.datetime
    n_open: int


class HeadlinePublic(BaseModel):
    count: int
    within_18_weeks: int
    pct_within_18_weeks: float | None
    over_52_weeks: int
    over_65_weeks: int
    over_78_weeks: int
    over_104_weeks: int
    with_dta: int
    median_weeks: float | None
    p92_weeks: float | None


class SpecialtyPublic(BaseModel):
    treatment_function: str
    name: str
    total: int
    within_18: int
    pct_within_18: float
    over_52: int
    over_65: int
    with_dta: int
    median_weeks: float | None


class TrendPointPublic(BaseModel):
    month_end: dt.date
    list_size: int
    within_18: int
    pct_within_18: float | None
    over_52: int


class PublishedMonthPublic(BaseModel):
    month: dt.date
    list_size: float


class OverviewPublic(BaseModel):
    load: LoadPublic
    headline: HeadlinePublic
    weeks_waited_counts: list[int] = Field(description="Pathways in weeks-waited bands 0..104 (104 = 104+)")
    specialties: list[SpecialtyPublic]
    trend: list[TrendPointPublic] = Field(description="The trust's own month ends that the extract covers")
    published_trend: list[PublishedMonthPublic] = Field(description="Published incomplete pathways by month")
    spc: dict[str, object] | None = Field(
        default=None, description="XmR summary (Making Data Count) of the published list size, when available"
    )


class PtlRowPublic(BaseModel):
    booking_rank: int
    pathway_id: str
    period: int
    patient_id: str
    commissioner_code: str | None
    treatment_function: str
    priority: str | None
    clock_start: dt.date
    days_waited: int
    weeks_waited: int
    has_dta: bool
    dta_date: dt.date | None
    breach_18_date: dt.date
    breach_52_date: dt.date
    breach_65_date: dt.date
    breach_78_date: dt.date
    breach_104_date: dt.date
    priority_due_date: dt.date | None
    age_band: str | None
    sex: str | None
    ethnic_group: str | None
    imd_quintile: int | None


class Page(BaseModel):
    total: int
    page: int
    page_size: int
    pages: int
    next: str | None = Field(default=None, description="URL of the next page")
    previous: str | None = Field(default=None, description="URL of the previous page")


class PtlPagePublic(Page):
    census_date: dt.date
    items: list[PtlRowPublic]


class PeriodPublic(BaseModel):
    period: int
    clock_start: dt.date
    clock_stop: dt.date | None
    outcome: str
    stop_status: int | None
    has_dta: bool
    dta_date: dt.date | None
    priority: str | None
    treatment_function: str


class EventPublic(BaseModel):
    event_id: str | None
    event_date: dt.date
    activity: str
    rtt_status: int | None
    priority: str | None
    treatment_function: str


class ExplanationPublic(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_date: dt.date
    activity: str
    explanation: str


class PathwayPublic(BaseModel):
    pathway_id: str
    ptl: PtlRowPublic | None
    periods: list[PeriodPublic]
    events: list[EventPublic]
    explanation: list[ExplanationPublic]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=80, pattern=r"^[A-Za-z0-9._@-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=12, max_length=200, description="At least 12 characters")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=200)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    role: str
    is_active: bool
    created_at: dt.datetime


class AuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: dt.datetime
    username: str
    action: str
    object_type: str
    object_id: str | None
    detail: str | None
