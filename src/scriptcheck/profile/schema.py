"""The profile file format (``version: 1``): one contact-centre scenario as data.

A profile names the lexicons that apply, the transcript rules (one model per rule kind, from
the registry in ``scriptcheck.rules``) with their points, and the scoring template.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
from scriptcheck.models import FormatVersion, Severity
from scriptcheck.rules import DIMENSIONS, RULE_KINDS
from scriptcheck.rules.base import Dimension, FileModel, RuleBase

__all__ = ["DIMENSIONS", "Rule", "ForbiddenScoring", "ProfileExample", "ProfileFile"]

# Points and weights: finite and not negative. A NaN or negative weight made every transcript pass
# (the dimension dropped out of the score), an infinite one failed every transcript. At most a
# million: a weight of 1e308 times a rule's points overflowed to infinity, written as "points": null
# where the wire schema says number (hostile probe, s56).
MAX_AMOUNT = 1e6
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]

# Every registered rule kind, told apart by its `kind:` key.
Rule = Annotated[Union[tuple(RULE_KINDS.values())], Field(discriminator="kind")]  # type: ignore[valid-type]


class ForbiddenScoring(FileModel):
    """Points a forbidden-phrase finding costs, by severity; critical ones veto the transcript."""

    points: dict[Severity, Amount] = Field(
        default_factory=lambda: {Severity.info: 0, Severity.warning: 10, Severity.error: 25, Severity.critical: 50}
    )
    cap: float = Field(default=50, ge=0, description="At most this many points per rule code.")
    veto_on: Severity = Field(default=Severity.critical, description="Findings at or above this severity fail the transcript (一票否决).")
    tone: bool = Field(default=True, description="Also flag a rude tone nobody listed with the packaged tone model "
                       "(FB900, docs/tone-model.md) whenever the packaged forbidden lexicon is loaded; false: "
                       "the lexicons' entries only.")


class ProfileExample(FileModel):
    """An inline example transcript that must pass or fail (and may name rules it must raise)."""

    name: str
    expect: Literal["pass", "fail"]
    rules: list[str] = Field(default_factory=list, description="Rule codes that must be among the findings.")
    turns: list[str] = Field(min_length=1, description="Lines such as '客服：您好…' / '客户：…'.")


class ProfileFile(FileModel):
    """A whole profile file."""

    version: FormatVersion
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    extends: str | None = Field(default=None, description="Profile whose rules this one inherits.")
    description: str = ""
    source: str = ""
    lexicons: list[str] = Field(default_factory=lambda: list(DEFAULT_LEXICONS))
    pass_mark: float = Field(default=80, ge=0, le=100)
    weights: dict[Dimension, Amount] = Field(
        default_factory=lambda: {d: 1.0 for d in DIMENSIONS},
        description="Multiplier of the points a dimension's findings cost the total (0 disables it).",
    )
    labels: dict[Dimension, str] = Field(default_factory=dict, description="Display names of dimensions.")
    forbidden: ForbiddenScoring = Field(default_factory=ForbiddenScoring)
    rules: list[Rule] = Field(default_factory=list)
    examples: list[ProfileExample] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> "ProfileFile":
        ids: set[str] = set()
        for rule in self.rules:
            if rule.id in ids:
                raise ValueError(f"duplicate rule id {rule.id}")
            ids.add(rule.id)
        return self

    @cached_property
    def weighted_dimensions(self) -> tuple[str, ...]:
        """The dimensions with a positive weight, in the fixed order of DIMENSIONS (so a
        report's JSON is the same from run to run)."""
        return tuple(d for d in DIMENSIONS if self.weights.get(d, 0) > 0)

    @cached_property
    def rules_by_id(self) -> dict[str, RuleBase]:
        """Rules by code (computed once: scoring looks rules up for every transcript)."""
        return {r.id: r for r in self.rules}
