"""HTML/text → Document. Knows nothing about rules."""

from .pipeline import parse

__all__ = ["parse"]
