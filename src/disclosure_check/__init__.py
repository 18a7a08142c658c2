"""disclosure-check: checks 政府信息公开工作年度报告 against the law and the national format."""

__version__ = "0.1.0"
