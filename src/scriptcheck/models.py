"""Public data models: findings, transcripts, reports (pydantic 2).

These are the wire schema of ``--format json``; change a field only with a schema version bump.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Callable, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "Severity",
    "Finding",
    "Turn",
    "Transcript",
    "StepResult",
    "Report",
    "Deduction",
    "SCHEMA_VERSION",
    "FormatVersion",
    "SPEAKER_ALIASES",
    "SPEAKERS",
    "normalize_speaker",
]

SCHEMA_VERSION = 1


def _exact_version(value: Any) -> Any:
    # Literal[1] alone takes `true` and `1.0` (equal to 1 in Python) as version 1.
    if type(value) is not int:
        raise ValueError("the format version must be the integer 1")
    return value


FormatVersion = Annotated[Literal[1], BeforeValidator(_exact_version)]
"""The ``version:`` of a data file (lexicon, profile, overlay, tone model): the integer 1 only."""


class Severity(str, Enum):
    """How bad a finding is; ordered ``info < warning < error < critical``."""

    info = "info"
    warning = "warning"
    error = "error"
    critical = "critical"

    @property
    def rank(self) -> int:
        """Numeric order, for ``--fail-on`` comparisons."""
        # A str enum member hashes as its value: no trip through Enum's `value` descriptor.
        return SEVERITY_RANK[self]

    # All four comparisons by rank: a str enum left with any of them would compare the
    # names alphabetically (``info > error``), and ``max``/``sorted`` use ``>`` and ``<``.
    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return SEVERITY_RANK[self] < SEVERITY_RANK[other]

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return SEVERITY_RANK[self] <= SEVERITY_RANK[other]

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return SEVERITY_RANK[self] > SEVERITY_RANK[other]

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return SEVERITY_RANK[self] >= SEVERITY_RANK[other]


# Severity (or its value) → its rank: a dict lookup where a hot loop compares many severities.
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "critical": 3}


class Finding(BaseModel):
    """One fault found in one utterance, with the evidence a reviewer needs.

    ``start``/``end`` index the ORIGINAL utterance text; ``text == original[start:end]``.
    ``turn`` is the 0-based turn index inside a transcript (``None`` for a lone utterance).
    A finding about something *missing* (a required step) has ``start``/``end`` ``None`` and
    an empty ``text``; its ``message`` says where it was looked for.
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    category: str
    severity: Severity
    start: int | None
    end: int | None
    text: str
    message: str
    suggestion: str = ""
    turn: int | None = None


Speaker = Literal["agent", "customer"]

# One set of accepted shapes, whichever door a record comes in by (a reader, or
# ``Transcript.model_validate`` in the Python API): speaker labels of contact-centre exports.
SPEAKER_ALIASES = {
    "agent": "agent", "客服": "agent", "坐席": "agent", "座席": "agent", "客服人员": "agent", "话务员": "agent", "staff": "agent",
    "bot": "agent", "assistant": "agent", "客服代表": "agent", "售后": "agent", "售前": "agent",
    # an online shop's and a hotline's own names for its side: the bot's turns are the agent's too
    "在线客服": "agent", "人工客服": "agent", "智能客服": "agent", "机器人": "agent", "卖家": "agent", "商家": "agent",
    "customer": "customer", "客户": "customer", "顾客": "customer", "用户": "customer",
    "user": "customer", "client": "customer", "买家": "customer",
}
_TURN_FIELDS = ("speaker", "text", "start", "end", "metadata")
_TRANSCRIPT_FIELDS = ("id", "turns", "metadata")
_TURN_KEYS = frozenset(_TURN_FIELDS)
_TRANSCRIPT_KEYS = frozenset(_TRANSCRIPT_FIELDS)
# The speakers a turn names as they are (Speaker's values); a tuple: `x in SPEAKERS` compares,
# so a list-valued speaker in hostile input never raises "unhashable".
SPEAKERS = ("agent", "customer")


def normalize_speaker(value: Any) -> str | None:
    """``agent``/``customer`` for a known speaker label (Chinese or English), else ``None``."""
    if not isinstance(value, str):
        return None
    return SPEAKER_ALIASES.get(value.strip().lower())


def _fold_extra(data: dict, fields: tuple[str, ...]) -> dict:
    """Keys other than ``fields`` move into ``metadata`` (after the given metadata's own keys)."""
    extra = {k: v for k, v in data.items() if k not in fields}
    if not extra or not isinstance(data.get("metadata", {}) or {}, dict):
        return data  # nothing to move, or a bad metadata the validation will report
    out = {k: v for k, v in data.items() if k in fields and k != "metadata"}
    out["metadata"] = {**(data.get("metadata") or {}), **extra}
    return out


class Turn(BaseModel):
    """One turn of a conversation: who spoke, what, and optionally when (seconds)."""

    # Built on first use (see rules.base.FileModel): the canonical reader builds these without
    # pydantic (io/canonical.py), so a batch of chat exports may never need the validator.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    speaker: Speaker
    text: str
    # Not NaN (refused by ge) nor infinite (1e400 in JSON): no time of a call ("inf s of silence").
    start: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    end: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _accepted_shapes(cls, data: Any) -> Any:
        """Speaker aliases (``客服`` → agent) and unknown keys into ``metadata``, as the readers do."""
        if not isinstance(data, dict):
            return data
        # The canonical shape, nearly every turn of a batch: nothing to rename or fold. Checked
        # first because this runs for every turn of every transcript.
        if data.get("speaker") in SPEAKERS and data.keys() <= _TURN_KEYS:
            return data
        speaker = normalize_speaker(data.get("speaker"))
        if speaker is not None and speaker != data["speaker"]:
            data = {**data, "speaker": speaker}
        return _fold_extra(data, _TURN_FIELDS)


class Transcript(BaseModel):
    """A conversation between an agent and a customer.

    Accepts the README's JSONL shape as it is: top-level keys other than ``id``, ``turns`` and
    ``metadata`` (``agent_id``, ``profile``, ``channel`` …) go to ``metadata``, a numeric ``id``
    becomes a string, and speakers may be ``客服``/``坐席``/``客户``/``顾客``/``user``/``bot``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # as Turn's

    id: str = Field(min_length=1)
    turns: list[Turn] = Field(min_length=1)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _accepted_shapes(cls, data: Any) -> Any:
        """The readers' normalisation: one set of accepted shapes for every door."""
        if not isinstance(data, dict):
            return data
        ident = data.get("id")
        if isinstance(ident, int) and not isinstance(ident, str):
            data = {**data, "id": str(ident)}
        if data.keys() <= _TRANSCRIPT_KEYS:
            return data
        return _fold_extra(data, _TRANSCRIPT_FIELDS)

    @property
    def agent_id(self) -> str | None:
        """The agent's id when the source gave one (``metadata.agent_id``)."""
        value = self.metadata.get("agent_id")
        return None if value is None else str(value)


class StepResult(BaseModel):
    """Whether one required step of the profile was found, and where."""

    model_config = ConfigDict(frozen=True)

    rule: str
    name: str
    satisfied: bool
    turn: int | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    score: float | None = None


class Deduction(BaseModel):
    """Points lost in one dimension because of one rule, with the findings behind them."""

    model_config = ConfigDict(frozen=True)

    dimension: str
    rule: str
    points: float
    count: int


class Report(BaseModel):
    """The score of one transcript: the stable contract of ``--format json``."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    id: str
    profile: str
    score: float
    passed: bool
    vetoed: bool = False
    dimensions: dict[str, float]
    deductions: list[Deduction] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    steps: list[StepResult] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


# The one way to build these models inside scriptcheck:
# ``Model.model_validate(values)`` for a dict of values, without the Python wrappers around
# pydantic-core's validator: scoring builds a few dozen models per transcript, and ``Model(**kw)``
# spends about as much time in ``__init__``'s wrapper as in the validation itself.
# Same validation, same models (tests/test_models_validate.py).
make_finding: Callable[[dict[str, Any]], Finding] = Finding.__pydantic_validator__.validate_python
make_step_result: Callable[[dict[str, Any]], StepResult] = StepResult.__pydantic_validator__.validate_python
make_deduction: Callable[[dict[str, Any]], Deduction] = Deduction.__pydantic_validator__.validate_python
make_report: Callable[[dict[str, Any]], Report] = Report.__pydantic_validator__.validate_python
