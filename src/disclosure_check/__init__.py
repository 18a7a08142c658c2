"""disclosure-check: checks 政府信息公开工作年度报告 against the law and the national format.

Library API::

    from disclosure_check import parse, check, Checker
    doc = parse("report.html")            # a typed Document
    report = check("report.html")         # a DocumentReport with one outcome per rule
    checker = Checker(lang="en", select=["DC1"])
    result = checker.check_paths(["reports/"])
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Checker", "__version__", "check", "parse"]

# Imported here, not lazily: the subpackage ``disclosure_check.parse`` would otherwise shadow the
# function of the same name once anything imports it. Plugins still load lazily (per Checker).
from .engine import Checker, check
from .parse import parse
