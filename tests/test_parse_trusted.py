"""Cells and Locations the parser builds without re-validation are exactly what validation gives."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, field_validator

from disclosure_check.model.document import Cell, CellKind, Location
from disclosure_check.parsing import parse
from disclosure_check.parsing._trusted import trusted_builder

CORPUS = Path(__file__).parent / "corpus"


def _same(built: BaseModel) -> None:
    again = type(built).model_validate(
        {k: v for k, v in built.__dict__.items() if k in built.model_fields_set}
    )
    assert list(built.__dict__) == list(again.__dict__)
    assert [type(v) for v in built.__dict__.values()] == [type(v) for v in again.__dict__.values()]
    assert built == again
    assert built.model_fields_set == again.model_fields_set
    assert built.model_dump_json() == again.model_dump_json()


def test_corpus_cells_and_locations_validate_to_themselves() -> None:
    n = 0
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".html", ".md"):
            continue
        doc = parse(path)
        for table in doc.tables():
            for row in table.grid:
                for cell in row:
                    _same(cell)
                    if cell.location is not None:
                        _same(cell.location)
                    n += 1
    assert n > 1000


def test_builder_sets_what_the_constructor_sets() -> None:
    loc = Location(xpath="/a", line=1, column=2, offset=3, section=None, snippet="x")
    build = trusted_builder(Cell, unset=frozenset({"origin"}))
    values = {"text": "1", "raw": "1", "kind": CellKind.number, "value": 1, "unit": None}
    cell = build({**values, "header": False, "origin": None, "location": loc})
    plain = Cell(**values, header=False, location=loc)
    assert cell == plain and list(cell.__dict__) == list(plain.__dict__)
    assert cell.model_fields_set == plain.model_fields_set
    assert cell.model_dump_json() == plain.model_dump_json()
    assert cell.location is loc


class _Checked(BaseModel):
    n: int

    @field_validator("n")
    @classmethod
    def _positive(cls, v: int) -> int:
        return abs(v)


def test_models_with_validators_are_validated() -> None:
    assert trusted_builder(_Checked)({"n": -2}).n == 2
