"""Building model objects from values the parser made itself, without validating them again.

A table page makes ~700 Cells and Locations; pydantic-core validates each in ~2-3 µs, and
``model_construct`` (pure Python) is slower still. :func:`trusted_builder` returns a function
``values -> instance`` that sets the instance's state directly, as ``model_construct`` does: the
caller passes EVERY field, in the model's field order, with values already of the field's type
(str, int, an enum member, a Location …). The result is indistinguishable from ``Model(**values)``
(same ``__dict__``, same fields set). Models with validators, private attributes, extra fields or
``model_post_init`` get plain validation instead (nothing would be skipped safely).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


def trusted_builder(
    model: type[M], unset: frozenset[str] = frozenset()
) -> Callable[[dict[str, Any]], M]:
    """``unset``: fields the caller passes at their default but that ``Model(**values)`` would
    not have been given (kept out of the fields set, as a keyword left out would be)."""
    validate: Callable[[dict[str, Any]], M] = model.__pydantic_validator__.validate_python
    if not _plain(model):
        return lambda values: validate({k: v for k, v in values.items() if k not in unset})

    def build(values: dict[str, Any]) -> M:
        obj = _new(model)
        _set(obj, "__dict__", values)
        _set(obj, "__pydantic_fields_set__", values.keys() - unset if unset else set(values))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj

    return build


def _plain(model: type[BaseModel]) -> bool:
    """Nothing runs on validation but the field types' own checks."""
    decorators = model.__pydantic_decorators__
    return not (
        model.model_config.get("extra") not in (None, "forbid", "ignore")
        or model.__private_attributes__
        or decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.model_validators
        or model.__pydantic_post_init__ is not None
    )


def trusted_copy(obj: M, changes: dict[str, Any]) -> M:
    """``obj.model_copy(update=changes)`` (a shallow copy: field values shared; the changed fields
    added to the fields set) without pydantic's Python-level ``__copy__``."""
    model = type(obj)
    if not _plain_cached(model):
        return obj.model_copy(update=changes)
    new = _new(model)
    _set(new, "__dict__", {**obj.__dict__, **changes})
    _set(new, "__pydantic_fields_set__", obj.__pydantic_fields_set__ | changes.keys())
    _set(new, "__pydantic_extra__", None)
    _set(new, "__pydantic_private__", None)
    return new


_plain_models: dict[type[BaseModel], bool] = {}


def _plain_cached(model: type[BaseModel]) -> bool:
    plain = _plain_models.get(model)
    if plain is None:
        plain = _plain_models[model] = _plain(model)
    return plain
