"""``--format jsonl``: one JSON object (a DocumentReport) per report per line, for streaming and
for tools that read line by line (``jq -c``, log shippers). Run-wide data (diagnostics, the rule
catalogue) is in ``--format json``."""

from __future__ import annotations

import json

from ..model import RunResult


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    return "".join(
        json.dumps(report.model_dump(mode="json"), ensure_ascii=False) + "\n"
        for report in result.reports
    )
