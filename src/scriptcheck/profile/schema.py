"""The profile file format (``version: 1``): one contact-centre scenario as data.

A profile names the lexicons that apply, the transcript rules (required steps, paired
responses, honorific, privacy, timing) with their points, and the scoring template.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
from scriptcheck.models import Finding, Severity, StepResult

__all__ = [
    "DIMENSIONS",
    "RuleBase",
    "StepRule",
    "OrderRule",
    "PairRule",
    "HonorificRule",
    "PrivacyRule",
    "TimingRule",
    "TemplateKindRule",
    "HygieneRule",
    "DisabledRule",
    "ForbiddenScoring",
    "ProfileExample",
    "ProfileFile",
]

# Wire names of the scoring dimensions (keys of ``Report.dimensions``).
DIMENSIONS = ("forbidden", "politeness", "steps", "privacy", "timing")
Dimension = Literal["forbidden", "politeness", "steps", "privacy", "timing"]


class _CategorySet:
    """``category_set``: a model's ``categories`` as a set, computed once (rules run on every
    transcript). The models declare ``categories`` themselves (their field order is the schema's)."""

    @cached_property
    def category_set(self) -> frozenset[str]:
        """``categories`` as a frozenset."""
        return frozenset(self.categories)


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleBase(_FileModel):
    """Fields every transcript rule has: code, name, docs and points."""

    id: str = Field(pattern=r"^[A-Z]{2}\d{3}$")
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    description: str = Field(min_length=1)
    why: str = ""
    source: str = ""
    severity: Severity = Severity.warning
    points: float = Field(default=5, ge=0, description="Deducted per finding from the rule's dimension.")
    cap: float | None = Field(default=None, ge=0, description="At most this many points per transcript.")
    suggestion: str = ""


class Window(_FileModel):
    """Which agent turns a step may appear in: the first N, the last N, or anywhere."""

    first: int | None = Field(default=None, ge=1)
    last: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> "Window":
        if self.first is not None and self.last is not None:
            raise ValueError("give `first` or `last`, not both")
        return self

    @cached_property
    def turns(self) -> slice:
        """The slice of a transcript's agent turns the window covers."""
        if self.first is not None:
            return slice(None, self.first)
        if self.last is not None:
            return slice(-self.last, None)
        return slice(None)


class StepRule(RuleBase, _CategorySet):
    """A required step: a phrase of one of ``categories`` in an agent turn of the window."""

    kind: Literal["step"]
    dimension: Dimension = "steps"
    categories: list[str] = Field(min_length=1, description="Polite-lexicon categories that satisfy the step.")
    phrases: list[str] = Field(default_factory=list, description="Reference wordings for fuzzy matching.")
    threshold: float = Field(default=88, ge=50, le=100, description="rapidfuzz partial-ratio threshold.")
    window: Window = Field(default_factory=Window)

    @cached_property
    def references(self) -> tuple[str, ...]:
        """The reference wordings in search-string form (what fuzzy alignment compares)."""
        from scriptcheck.text.normalize import normalize_phrase

        return tuple(normalize_phrase(p) for p in self.phrases)

    @cached_property
    def missing(self) -> tuple[StepResult, Finding]:
        """The result and the finding of this step when it is missing: the same for every
        transcript (both frozen), so built once."""
        where = (f"the first {self.window.first} agent turn(s)" if self.window.first is not None
                 else f"the last {self.window.last} agent turn(s)" if self.window.last is not None
                 else "any agent turn")
        finding = Finding(rule=self.id, category="step", severity=self.severity, start=None, end=None,
                          text="", message=f"missing step '{self.name}' in {where}: {self.description}",
                          suggestion=self.suggestion)
        return StepResult(rule=self.id, name=self.name, satisfied=False), finding


class OrderRule(RuleBase):
    """Steps that must appear in this order (each located at its last occurrence)."""

    kind: Literal["order"]
    dimension: Dimension = "steps"
    steps: list[str] = Field(min_length=2, description="Step names, in the required order.")
    use: Literal["first", "last"] = Field(
        default="last",
        description="Which occurrence of each step counts: the last (closings) or the first (a flow).",
    )


class Trigger(_FileModel, _CategorySet):
    """What opens a pair: a turn of ``speaker`` with a phrase of one of ``categories``."""

    speaker: Literal["agent", "customer"]
    categories: list[str] = Field(min_length=1)


class Response(_FileModel, _CategorySet):
    """What must follow: an agent turn with one of ``categories`` within ``within`` agent turns."""

    categories: list[str] = Field(min_length=1)
    within: int = Field(default=2, ge=1)
    same_turn: bool = Field(default=False, description="A response later in the trigger turn counts.")


class PairRule(RuleBase):
    """A paired response: after the trigger, an agent response must follow."""

    kind: Literal["pair"]
    dimension: Dimension = "politeness"
    trigger: Trigger
    response: Response


class HonorificRule(RuleBase):
    """您, not 你, towards the customer (jieba decides what is the pronoun)."""

    kind: Literal["honorific"]
    dimension: Dimension = "politeness"
    tokens: list[str] = Field(default_factory=lambda: ["你"], description="jieba tokens that count.")


class PrivacyRule(RuleBase):
    """An agent turn spelling out a full number (phone, ID card, bank card)."""

    kind: Literal["privacy"]
    dimension: Dimension = "privacy"
    pattern: str = Field(min_length=1, description="Regex over the turn with full-width digits folded.")
    checksum: Literal["luhn", "id-card"] | None = Field(
        default=None, description="Only numbers with a valid check digit count (bank cards: luhn; "
                                  "resident ID cards: id-card, GB 11643).")


class TimingRule(RuleBase):
    """Timing of agent turns, when turns carry start/end seconds."""

    kind: Literal["timing"]
    dimension: Dimension = "timing"
    check: Literal["silence", "interruption", "speech-rate"]
    max_silence: float = Field(default=10.0, gt=0)
    overlap: float = Field(default=0.5, ge=0, description="Seconds of overlap tolerated.")
    min_rate: float = Field(default=2.0, gt=0, description="Characters per second.")
    max_rate: float = Field(default=8.0, gt=0)
    min_chars: int = Field(default=8, ge=1, description="Shorter turns are not rate-checked.")


class TemplateKindRule(RuleBase, _CategorySet):
    """A reply template of one of ``template_kinds`` must say a phrase of one of ``categories``
    (a closing thanks the customer, a refusal offers an alternative …).

    The template's kind comes from the turn's or the transcript's ``metadata.template_kind``
    (the linter sets it from the source or the configured id conventions); a template without
    a kind, or of another kind, is not checked.
    """

    kind: Literal["template-kind"]
    dimension: Dimension = "steps"
    template_kinds: list[str] = Field(min_length=1, description="Template kinds the rule applies to.")
    categories: list[str] = Field(min_length=1, description="Polite-lexicon categories that satisfy it.")


class HygieneRule(RuleBase):
    """Template hygiene in every agent turn: broken placeholders, mixed scripts or widths."""

    kind: Literal["hygiene"]
    dimension: Dimension = "forbidden"
    check: Literal["unbalanced-placeholder", "misspelt-placeholder", "script-mix", "punctuation-mix"]


class DisabledRule(RuleBase):
    """Switches off an inherited rule of the same id (a child profile cannot delete a parent's
    rule, only replace it): it never produces a finding."""

    kind: Literal["disabled"]
    dimension: Dimension = "politeness"


Rule = Annotated[
    Union[StepRule, OrderRule, PairRule, HonorificRule, PrivacyRule, TimingRule, TemplateKindRule,
          HygieneRule, DisabledRule],
    Field(discriminator="kind"),
]


class ForbiddenScoring(_FileModel):
    """Points a forbidden-phrase finding costs, by severity; critical ones veto the transcript."""

    points: dict[Severity, float] = Field(
        default_factory=lambda: {Severity.info: 0, Severity.warning: 10, Severity.error: 25, Severity.critical: 50}
    )
    cap: float = Field(default=50, ge=0, description="At most this many points per rule code.")
    veto_on: Severity = Field(default=Severity.critical, description="Findings at or above this severity fail the transcript (一票否决).")


class ProfileExample(_FileModel):
    """An inline example transcript that must pass or fail (and may name rules it must raise)."""

    name: str
    expect: Literal["pass", "fail"]
    rules: list[str] = Field(default_factory=list, description="Rule codes that must be among the findings.")
    turns: list[str] = Field(min_length=1, description="Lines such as '客服：您好…' / '客户：…'.")


class ProfileFile(_FileModel):
    """A whole profile file."""

    version: Literal[1]
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    extends: str | None = Field(default=None, description="Profile whose rules this one inherits.")
    description: str = ""
    source: str = ""
    lexicons: list[str] = Field(default_factory=lambda: list(DEFAULT_LEXICONS))
    pass_mark: float = Field(default=80, ge=0, le=100)
    weights: dict[Dimension, float] = Field(
        default_factory=lambda: {d: 1.0 for d in DIMENSIONS},
        description="Multiplier of the points a dimension's findings cost the total (0 disables it).",
    )
    labels: dict[Dimension, str] = Field(default_factory=dict, description="Display names of dimensions.")
    forbidden: ForbiddenScoring = Field(default_factory=ForbiddenScoring)
    rules: list[Rule] = Field(default_factory=list)
    examples: list[ProfileExample] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "ProfileFile":
        ids: set[str] = set()
        step_names = {r.name for r in self.rules if isinstance(r, StepRule)}
        for rule in self.rules:
            if rule.id in ids:
                raise ValueError(f"duplicate rule id {rule.id}")
            ids.add(rule.id)
            if isinstance(rule, OrderRule):
                missing = [s for s in rule.steps if s not in step_names]
                if missing:
                    raise ValueError(f"rule {rule.id}: unknown step(s) {missing}; steps are {sorted(step_names)}")
        return self

    @cached_property
    def weighted_dimensions(self) -> tuple[str, ...]:
        """The dimensions with a positive weight, in the fixed order of DIMENSIONS (so a
        report's JSON is the same from run to run)."""
        return tuple(d for d in DIMENSIONS if self.weights.get(d, 0) > 0)

    @cached_property
    def rules_by_id(self) -> dict[str, "Rule"]:
        """Rules by code (computed once: scoring looks rules up for every transcript)."""
        return {r.id: r for r in self.rules}
