"""DC30x: the report's year, statistics period, publication date and the legal basis it cites.

Settings that vary by report format come from the profile (``[options.DC30x]``); word lists,
patterns and the table of known documents from ``data/content.toml``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from disclosure_check.model import Location
from disclosure_check.rules import RuleContext

from .common import catalog
from .textscan import (
    TextUnit,
    any_word,
    compact,
    data,
    first_location,
    organ_level,
    regime,
    rx,
    search,
    title_year,
    units,
)

CATALOG = catalog("dates")


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(x) for x in str(text).split("-"))
    return month, day


def _require_year(ctx: RuleContext) -> int:
    year = ctx.doc.meta.report_year
    if year is None:
        ctx.needs_review("no-year")
    return year


# -- DC301 -----------------------------------------------------------------------------------


@CATALOG.rule("DC301")
def report_year_inconsistent(ctx: RuleContext) -> None:
    year = _require_year(ctx)
    _check_title_against_period(ctx)
    words = data()["years"]
    for unit, match in search(units(ctx), rx(words["statement"])):
        stated = int(match.group("year"))
        if stated == year or abs(stated - year) > int(ctx.options.get("max_distance", 1)):
            continue
        rest = match.group("rest")
        if any_word(rest, words["exempt_words"]) or not _reports_work(rest, words):
            continue
        ctx.report(
            "body-year",
            stated=stated,
            year=year,
            location=unit.locate(match.start("year"), match.end("rest")),
            data={"stated": stated, "report_year": year},
            anchor=f"body-year:{stated}:{rest[:20]}",
        )


def _reports_work(rest: str, words: dict[str, Any]) -> bool:
    # Both who and what: "2022年，我区共收到…" — not "2022年，国务院印发…".
    return bool(any_word(rest, words["work_words"]) and any_word(rest, words["subject_words"]))


def _check_title_against_period(ctx: RuleContext) -> None:
    meta = ctx.doc.meta
    in_title = title_year(ctx.doc)
    start, end = meta.period_start, meta.period_end
    if in_title is None or start is None or end is None or start.year != end.year:
        return  # a school year spans two calendar years: DC302 checks it against the profile
    if end.year != in_title:
        ctx.report(
            "title-period",
            title_year=in_title,
            period_year=end.year,
            location=meta.period_location or first_location(ctx.doc),
            data={"title_year": in_title, "period_year": end.year},
        )


# -- DC302 -----------------------------------------------------------------------------------

_DEFAULT_PERIODS = {"university": ("09-01", "08-31")}


def expected_period(options: dict[str, Any], year: int, regime_: str | None) -> tuple[date, date]:
    """The period a report on ``year`` must cover. Options: ``start``/``end`` ("MM-DD") and
    ``end_year_offset`` (end year = report year + offset; 0 by default)."""
    default_start, default_end = _DEFAULT_PERIODS.get(regime_ or "", ("01-01", "12-31"))
    sm, sd = _month_day(options.get("start", default_start))
    em, ed = _month_day(options.get("end", default_end))
    end = date(year + int(options.get("end_year_offset", 0)), em, ed)
    start_year = end.year if (sm, sd) <= (em, ed) else end.year - 1
    return date(start_year, sm, sd), end


def stated_period(ctx: RuleContext) -> tuple[date, date, Location] | None:
    """The period the parser found, else the first ``统计期限…YYYY年M月D日至…`` sentence."""
    meta = ctx.doc.meta
    if meta.period_start and meta.period_end:
        return meta.period_start, meta.period_end, meta.period_location or first_location(ctx.doc)
    return ctx.cached("dates.period", lambda: _scan_period(units(ctx)))


def _scan_period(units_: list[TextUnit]) -> tuple[date, date, Location] | None:
    table = data()["period"]
    for unit in units_:
        lead = rx(table["sentence"]).search(unit.text)
        if lead is None:
            continue
        m = rx(table["range"]).search(unit.text, lead.start())
        if m is None:
            continue
        y1 = int(m.group("y1"))
        y2 = int(m.group("y2") or y1)
        try:
            start = date(y1, int(m.group("m1")), int(m.group("d1")))
            end = date(y2, int(m.group("m2")), int(m.group("d2")))
        except ValueError:
            continue
        return start, end, unit.locate(lead.start(), m.end())
    return None


@CATALOG.rule("DC302")
def statistics_period(ctx: RuleContext) -> None:
    year = _require_year(ctx)
    found = stated_period(ctx)
    if found is None:
        ctx.report("missing", location=first_location(ctx.doc))
        return
    start, end, location = found
    want_start, want_end = expected_period(ctx.options, year, regime(ctx))
    if (start, end) != (want_start, want_end):
        ctx.report(
            "wrong",
            stated=f"{start.isoformat()} – {end.isoformat()}",
            expected=f"{want_start.isoformat()} – {want_end.isoformat()}",
            location=location,
            data={
                "stated": [start.isoformat(), end.isoformat()],
                "expected": [want_start.isoformat(), want_end.isoformat()],
            },
        )


# -- DC303 -----------------------------------------------------------------------------------

# Deadline (MM-DD) for departments, and for a 人民政府's own report, when the profile sets none.
_DEFAULT_DEADLINES = {
    "2008": ("03-31", "03-31"),
    "2019": ("01-31", "03-31"),
    "2021": ("01-31", "03-31"),
    "university": ("10-31", "10-31"),
}


def _publication(ctx: RuleContext) -> tuple[date, str, Location] | None:
    meta = ctx.doc.meta
    if meta.published:
        return meta.published, meta.published_source or "meta", first_location(ctx.doc)
    pattern = rx(data()["published"]["chrome"])
    for unit, m in search(units(ctx), pattern):
        try:
            when = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            continue
        return when, "page", unit.locate(m.start(), m.end())
    if meta.signature_date:
        return meta.signature_date, "signature", first_location(ctx.doc)
    return None


def _next_on_or_after(after: date, month: int, day: int) -> date:
    """The first MM-DD strictly after ``after`` (the deadline follows the period's end)."""
    candidate = date(after.year, month, day)
    return candidate if candidate > after else date(after.year + 1, month, day)


@CATALOG.rule("DC303")
def published_late(ctx: RuleContext) -> None:
    year = _require_year(ctx)
    published = _publication(ctx)
    if published is None:
        ctx.needs_review("no-date")
    when, source, location = published
    regime_ = regime(ctx)
    found = stated_period(ctx)
    period_end = (
        found[1] if found else expected_period(ctx.profile.rule_options("DC302"), year, regime_)[1]
    )
    dept_default, gov_default = _DEFAULT_DEADLINES.get(regime_ or "", ("03-31", "03-31"))
    dept = _next_on_or_after(period_end, *_month_day(ctx.options.get("deadline", dept_default)))
    gov = _next_on_or_after(
        period_end, *_month_day(ctx.options.get("government_deadline", gov_default))
    )
    level = organ_level(ctx.doc)
    deadline = gov if level in ("government", "government_like") else dept
    if level == "unknown" and dept < when <= gov:
        ctx.needs_review("level-unknown", published=when.isoformat(), deadline=dept.isoformat())
    if when > deadline:
        ctx.report(
            "late",
            published=when.isoformat(),
            deadline=deadline.isoformat(),
            days=(when - deadline).days,
            source=source,
            location=location,
            data={
                "published": when.isoformat(),
                "deadline": deadline.isoformat(),
                "organ_level": level,
                "source": source,
            },
            anchor="late",
        )


# -- DC304 -----------------------------------------------------------------------------------


@CATALOG.rule("DC304")
def outdated_legal_basis(ctx: RuleContext) -> None:
    year = _require_year(ctx)
    for entry in data()["outdated"]:
        if year < int(entry["from_year"]):
            continue
        pool = [u for u in units(ctx) if u.heading] if entry.get("headings_only") else units(ctx)
        seen: set[str] = set()
        for unit, m in search(pool, rx(entry["pattern"]), normalize=True):
            anchor = f"{entry['key']}:{compact(unit.text[m.start() : m.end()])}"
            if anchor in seen:
                continue
            seen.add(anchor)
            ctx.report(
                "outdated",
                cited=entry["cited"],
                current=entry["current"],
                year=year,
                since=entry["from_year"],
                location=unit.locate(m.start(), m.end()),
                data={"kind": entry["key"], "text": m.group(0)},
                anchor=anchor,
            )


# -- DC305 -----------------------------------------------------------------------------------

_CITATION = re.compile(r"《(?P<title>[^《》]{2,90})》\s*[（(](?P<inner>[^（）()]{0,60})[）)]")


def _title_matches(cited: str, titles: list[str]) -> bool:
    cited = _plain_title(cited)
    return any(t in cited or cited in t for t in map(_plain_title, titles))


_TITLE_NOISE = re.compile(r"[\s〈〉<>《》“”\"]")


@lru_cache(maxsize=4096)  # the data file's titles are compared with every citation
def _plain_title(title: str) -> str:
    return _TITLE_NOISE.sub("", title).replace("(", "（").replace(")", "）")


def _issuer_before(text: str, start: int) -> str | None:
    m = rx(data()["citation"]["issuer_pattern"]).search(text[max(0, start - 40) : start])
    return compact(m.group(1)) if m else None


def _issuer_ok(issuer: str, entry: dict[str, Any]) -> bool:
    joint = entry.get("joint_issuers")
    if joint and not all(j in issuer for j in joint):
        return False
    return issuer in {compact(i) for i in entry.get("issuers", [])} or not entry.get("issuers")


@CATALOG.rule("DC305")
def document_number(ctx: RuleContext) -> None:
    documents: list[dict[str, Any]] = data()["documents"]
    number_rx = rx(data()["citation"]["number_pattern"])
    for unit, m in search(units(ctx), _CITATION, normalize=True):
        num_match = number_rx.search(m.group("inner"))
        if num_match is None:
            continue
        number = compact(num_match.group("num"))
        title = m.group("title")
        issuer = _issuer_before(unit.normalized, m.start())
        by_title = [d for d in documents if _title_matches(title, d["titles"])]
        by_number = [d for d in documents if number in d["numbers"]]
        location = unit.locate(m.start(), m.end())
        anchor = f"{compact(title)}|{number}"
        if by_title and not any(number in d["numbers"] for d in by_title):
            best = max(by_title, key=lambda d: max(len(t) for t in d["titles"]))
            ctx.report(
                "wrong-number",
                title=title,
                cited=number,
                expected="、".join(best["numbers"]),
                location=location,
                data={"title": title, "cited": number, "expected": best["numbers"]},
                anchor=anchor,
            )
        elif by_number and not by_title:
            entry = by_number[0]
            ctx.report(
                "wrong-title",
                title=title,
                number=number,
                expected=entry["titles"][0],
                issuer=entry["issuers"][0] if entry.get("issuers") else "",
                location=location,
                data={"title": title, "number": number, "expected": entry["titles"][0]},
                anchor=anchor,
            )
        elif issuer and by_number and not _issuer_ok(issuer, by_number[0]):
            ctx.report(
                "wrong-issuer",
                title=title,
                issuer=issuer,
                expected=by_number[0]["issuers"][0],
                location=location,
                data={"title": title, "issuer": issuer, "expected": by_number[0]["issuers"]},
                anchor=anchor,
            )
