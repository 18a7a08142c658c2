"""``--format json``: the whole run as one JSON object (validates against schemas/result.schema.json)."""

from __future__ import annotations

import json

from ..model import RunResult


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
