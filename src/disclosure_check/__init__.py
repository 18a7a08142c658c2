"""disclosure-check: checks 政府信息公开工作年度报告 against the law and the national format.

Library API::

    from disclosure_check import parse, check, Checker
    doc = parse("report.html")            # a typed Document
    report = check("report.html")         # a DocumentReport with one outcome per rule
    checker = Checker(lang="en", select=["DC1"])
    result = checker.check_paths(["reports/"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Checker", "__version__", "check", "parse"]

if TYPE_CHECKING:
    from .engine import Checker, check
    from .parsing import parse


def __getattr__(name: str) -> Any:
    # Lazy: importing the package (as the always-loaded pytest plugin does) stays cheap; the
    # engine, the parser and pydantic load on first use.
    if name in ("Checker", "check"):
        from . import engine

        return getattr(engine, name)
    if name == "parse":
        from .parsing import parse

        return parse
    raise AttributeError(f"module 'disclosure_check' has no attribute {name!r}")
