"""The committed JSON Schemas in schemas/ are in step with the models, and outputs validate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from disclosure_check.cli import main
from disclosure_check.schema import SCHEMAS, schema_json

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_matches_the_model(name: str) -> None:
    committed = (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(name), (
        f"schemas/{name}.schema.json is stale: run "
        "python -c 'from disclosure_check.schema import write_schemas; "
        'from pathlib import Path; write_schemas(Path("schemas"))\''
    )


def test_check_json_output_validates(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(ROOT / "tests" / "corpus"), "--format", "json", "--exit-zero"])
    out = json.loads(capsys.readouterr().out)
    jsonschema.validate(out, json.loads(schema_json("result")))
    assert len(out["reports"]) == 12


def test_shipped_profiles_validate_against_the_profile_schema() -> None:
    import tomllib

    schema = json.loads(schema_json("profile"))
    folder = ROOT / "plugins" / "disclosure_check_rules" / "profiles"
    files = sorted(folder.glob("*.toml"))
    assert files
    for path in files:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
