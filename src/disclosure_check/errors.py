"""Exceptions that carry a clear, one-line message for the user."""


class DisclosureCheckError(Exception):
    """Base class: the CLI prints ``str(exc)`` on one line and exits 2."""


class InputError(DisclosureCheckError):
    """A file cannot be read at all (missing, a directory, permission denied)."""


class ConfigError(DisclosureCheckError):
    """The configuration or a profile file is invalid."""


class PluginError(DisclosureCheckError):
    """A plugin failed to load or register, or two plugins claim the same rule id."""
