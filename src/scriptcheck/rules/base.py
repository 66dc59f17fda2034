"""What every rule kind is: a profile model that checks a transcript, and the registry of kinds.

A rule kind is one module of this package (as a ruff or sqlfluff rule is): a pydantic model
with a ``kind: Literal["…"]`` field and the profile keys it accepts, registered with
:func:`register`, that says what it needs scanned (:meth:`RuleBase.needs`), when it applies
(:meth:`RuleBase.applies`) and checks a transcript (:meth:`RuleBase.evaluate`); its docstring is
its documentation and its YAML cases live in ``tests/rule_cases/``. The profile schema's union
of rules and the scorer's dispatch both come from :data:`RULE_KINDS`, so nothing else needs to
know a kind exists.
"""

from __future__ import annotations

import typing
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from scriptcheck.models import Finding, Severity, StepResult
from scriptcheck.text.normalize import normalize_many

if TYPE_CHECKING:  # annotations only: the context module imports nothing of this one back
    from scriptcheck.rules.context import TranscriptContext

__all__ = ["DIMENSIONS", "Dimension", "FileModel", "CategorySet", "ScanNeeds", "Outcome", "RuleBase",
           "RULE_KINDS", "register"]

# Wire names of the scoring dimensions (keys of ``Report.dimensions``).
DIMENSIONS = ("forbidden", "politeness", "steps", "privacy", "timing")
Dimension = Literal["forbidden", "politeness", "steps", "privacy", "timing"]


# The type of a function of a module Cython compiled (setup.py; a plain function otherwise):
# the rule kinds' methods are of it, and pydantic must not take them for fields.
_FUNCTION_TYPE = type(normalize_many)


class FileModel(BaseModel):
    """A model read from a data file: unknown keys are errors, instances are immutable."""

    # defer_build: a model's validator and serializer are built when it is first used, not
    # when its module is imported. Building them for the ~35 data-file models was a tenth of
    # importing scriptcheck (issue 17), and most runs use few of them: a run served by the
    # compiled-lexicon cache validates no lexicon file, and a profile's rules are validated
    # inside the profile's own schema. Same validation either way.
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(_FUNCTION_TYPE,), defer_build=True)


class CategorySet:
    """``category_set``: a model's ``categories`` as a set, computed once (rules run on every
    transcript). The models declare ``categories`` themselves (their field order is the schema's)."""

    @cached_property
    def category_set(self) -> frozenset[str]:
        """``categories`` as a frozenset."""
        return frozenset(self.categories)  # type: ignore[attr-defined]


_NONE: frozenset[str] = frozenset()


class ScanNeeds(NamedTuple):
    """The phrase categories a rule asks about: in any agent turn, in customer turns, and in
    the agent turns of a window only (``window`` is the slice of a transcript's agent turns)."""

    agent: frozenset[str] = _NONE
    customer: frozenset[str] = _NONE
    window: slice | None = None
    windowed: frozenset[str] = _NONE


class Outcome:
    """What the rules of a profile found in one transcript so far: findings, step results, and
    what one rule leaves for a later one (``shared``, keyed by the kind that wrote it)."""

    __slots__ = ("findings", "steps", "shared")

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.steps: list[StepResult] = []
        self.shared: dict[str, Any] = {}


class RuleBase(FileModel):
    """Fields every transcript rule has: code, name, docs and points; and the hooks a kind
    overrides."""

    id: str = Field(pattern=r"^[A-Z]{2}\d{3}$")
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    description: str = Field(min_length=1)
    why: str = ""
    source: str = ""
    severity: Severity = Severity.warning
    # at most a million, as a profile's weights: their product must stay finite (profile/schema.py)
    points: float = Field(default=5, ge=0, le=1e6, allow_inf_nan=False,
                          description="Deducted per finding from the rule's dimension.")
    cap: float | None = Field(default=None, ge=0, le=1e6, allow_inf_nan=False,
                              description="At most this many points per transcript.")
    suggestion: str = ""

    # Rules of a later stage run after those of an earlier one (an order rule reads where
    # the steps were found); within a stage, rules run in file order.
    stage: ClassVar[int] = 0
    # The dimension a transcript is scored on because this rule applies to it (steps, timing),
    # beyond those every transcript is scored on (forbidden, politeness, privacy).
    scores: ClassVar[str | None] = None
    # Whether the rule judges each agent turn on its own (its findings are about one
    # utterance), as opposed to the conversation (steps, pairs, order).
    per_turn: ClassVar[bool] = False

    def needs(self) -> ScanNeeds:
        """The phrase categories this rule asks about (the scan plan scans turns for these)."""
        return ScanNeeds()

    def applies(self, ctx: "TranscriptContext") -> bool:
        """Whether the rule checks this transcript at all (timing: only timed transcripts)."""
        return True

    def evaluate(self, ctx: "TranscriptContext", out: Outcome) -> None:
        """Add this rule's findings (and step results) for the transcript to ``out``."""
        raise NotImplementedError

    def lazy_categories(self) -> frozenset[str]:
        """Phrase categories the rule asks about only now and then (the timing rule, at a long
        silence): not scanned in advance, looked up when asked, but checked to exist like
        those of :meth:`needs`."""
        return frozenset()

    def problems(self, rules: list["RuleBase"]) -> list[str]:
        """What this rule names among the profile's other ``rules`` that does not exist."""
        return []


RULE_KINDS: dict[str, type[RuleBase]] = {}


def register(cls: type[RuleBase]) -> type[RuleBase]:
    """Class decorator: make a rule kind known to profiles and the scorer by its ``kind``."""
    (kind,) = typing.get_args(cls.model_fields["kind"].annotation)
    if kind in RULE_KINDS and RULE_KINDS[kind] is not cls:
        raise TypeError(f"rule kind {kind!r} is registered twice: {RULE_KINDS[kind]} and {cls}")
    RULE_KINDS[kind] = cls
    return cls
