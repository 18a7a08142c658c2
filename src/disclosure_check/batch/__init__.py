"""Auditing many reports at once: manifest, parallel runner, audit store, cross-report rules.

The batch-rule API (for rule packs) is re-exported here; the rest loads when an audit runs."""

from .api import BatchCatalog, BatchContext, BatchDoc, BatchRule

__all__ = ["BatchCatalog", "BatchContext", "BatchDoc", "BatchRule"]
