"""JSON Schemas of what the tool reads and writes, generated from the models.

The committed copies in ``schemas/`` are kept in step by a test (``tests/test_schemas.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .batch.model import BatchResult
from .config import Config
from .model import Profile, RunResult

SCHEMAS: dict[str, type[BaseModel]] = {
    "result": RunResult,
    "config": Config,
    "profile": Profile,
    "batch": BatchResult,
}


def schema_json(name: str) -> str:
    model = SCHEMAS[name]
    schema = model.model_json_schema(
        by_alias=True, mode="serialization" if name in ("result", "batch") else "validation"
    )
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://disclosure-check.invalid/schemas/{name}.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(SCHEMAS):
        path = folder / f"{name}.schema.json"
        path.write_text(schema_json(name), encoding="utf-8")
        written.append(path)
    return written
