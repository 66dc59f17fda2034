"""The exception hierarchy: one root, one subclass per kind of bad input."""

from __future__ import annotations

__all__ = ["ScriptcheckError", "LexiconError", "ProfileError", "ConfigError", "InputError", "SpecFailure"]


class ScriptcheckError(Exception):
    """Root of every error scriptcheck raises on purpose."""


class LexiconError(ScriptcheckError):
    """A lexicon file is unreadable, invalid, or one of its entries breaks its own specs."""


class ProfileError(ScriptcheckError):
    """A profile file is unreadable or invalid, or refers to something that does not exist."""


class ConfigError(ScriptcheckError):
    """A configuration file (``scriptcheck.toml`` / ``[tool.scriptcheck]``) is unreadable or invalid."""


class InputError(ScriptcheckError):
    """A transcript or template record cannot be read.

    Carries where the record came from so a batch can report it and go on.
    """

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return ``file:line: field: reason`` with whatever parts are known."""
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        what = f"{self.field}: {self.reason}" if self.field else self.reason
        return f"{where}: {what}" if where else what


class SpecFailure(LexiconError):
    """An entry's inline specs do not hold (a ``match`` text missed or a ``no_match`` text hit)."""
