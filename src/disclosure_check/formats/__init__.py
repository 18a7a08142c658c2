"""Built-in output formats, one module each, registered like any plugin's formats.

Each module is imported the first time its format renders (``grouped`` pulls in rich, ``junit``
ElementTree), so a plain ``check`` does not pay for every format at start-up; the names are
registered eagerly, so duplicate-name detection and ``--format`` choices are unchanged."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..registry import Registry

# format name -> module of this package whose ``render`` it is
FORMATS = {
    "text": "text",
    "json": "json_format",
    "jsonl": "jsonl",
    "grouped": "grouped",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "gitlab": "gitlab",
}


class _LazyRender:
    """A format's ``render``, imported on first call."""

    def __init__(self, module: str) -> None:
        self.module = f"{__name__}.{module}"
        self._render: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._render is None:
            self._render = importlib.import_module(self.module).render
        return self._render(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<render of {self.module}>"


@hookimpl
def dc_register_formats(registry: Registry) -> None:
    for name, module in FORMATS.items():
        registry.add_format(name, _LazyRender(module))
