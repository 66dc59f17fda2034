"""The lexicon file format (``version: 1``) as pydantic models.

Everything read from a file forbids unknown keys, so a typo is an error rather than a silently
ignored option. ``docs/lexicon-format.md`` documents the format with an example.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from scriptcheck.lexicon.slots import check_slots
from scriptcheck.models import FormatVersion, Severity

__all__ = ["DEFAULT_MITIGATORS", "EntryOptions", "Specs", "LexiconEntry", "LexiconFile", "Mitigator", "RULE_CODE",
           "RuleCode"]

RULE_CODE = re.compile(r"^[A-Z]{2}\d{3}$")
# In an entry's options.mitigators: every clause and sentence mitigator of the lexicon.
DEFAULT_MITIGATORS = "default"


def _rule_code(value: str) -> str:
    if not RULE_CODE.match(value):
        raise ValueError(f"{value!r} is not a rule code (two capital letters + three digits, e.g. FB001)")
    return value


# A rule code field (an entry's id, or the id an overlay adds to).
RuleCode = Annotated[str, AfterValidator(_rule_code)]


class _FileModel(BaseModel):
    # Validators are built on first use (see rules.base.FileModel): a run served by the
    # compiled-lexicon cache never validates a lexicon file.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# The allow-contexts an entry's hits may be dropped in (match/contexts.py).
Context = Literal["quoted", "reported", "mitigated"]


class EntryOptions(_FileModel):
    """How strictly an entry matches."""

    boundary: bool = Field(
        default=False,
        description="The hit must start and end on jieba word boundaries (short entries: 滚 not in 滚动).",
    )
    gaps: bool = Field(
        default=True,
        description="Allow skipped characters (spaces, punctuation, emoji …) inside the hit.",
    )
    window: int = Field(
        default=40, ge=4, le=400,
        description="Patterns are verified within this many search characters around an anchor.",
    )
    skip_contexts: list[Context] | None = Field(
        default=None,
        description="Drop a hit inside quotation marks (quoted), reported speech (reported), or a "
        "clause/sentence holding one of the lexicon's mitigators (mitigated); "
        "None: the lexicon's skip_contexts.",
    )
    mitigators: list[str] | None = Field(
        default=None,
        description="For the mitigated context: the names of the lexicon's mitigators this entry "
        "takes (scope-before, scope-after and scope-earlier ones only this way); `default` stands for every clause and sentence "
        "mitigator (so [default, negation] adds one); None: every clause and sentence mitigator.",
    )
    requires: list[str] = Field(
        default_factory=list,
        description="The names of the lexicon's `conditions` of which at least one must hold around a hit "
        "for it to stand: the context that makes a word rude (a bare 笨 only where its sentence addresses "
        "someone or is the word alone). Empty: no requirement.",
    )


class Mitigator(_FileModel):
    """A named context around a hit. As one of ``mitigators``: words that turn a taboo shape polite
    when they share its clause or sentence (a softener, an apology, an offer of help); entries with
    ``mitigated`` in their skip_contexts drop such hits. As one of ``conditions``: what must hold
    for the hit of an entry that requires it to stand (the word aimed at someone)."""

    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="kebab-case slug")
    pattern: str = Field(
        min_length=1,
        description="Regex over the NORMALISED span its scope names, or over its original characters with "
        "`over: original` (slots allowed: {{name}}).",
    )
    scope: Literal["clause", "sentence", "before", "after", "earlier", "utterance"] = Field(
        default="clause",
        description="clause: between commas, pauses (spaces) and sentence ends; sentence: between "
        "sentence ends (。！？；, new line) only; before: in the hit's clause, ending at most `reach` "
        "characters before the hit (a negation or a first-person subject governing it); after: after "
        "the hit, to the end of the next sentence, at most 120 characters (a way forward offered after "
        "a refusal); earlier: before the hit, from the start of the sentence before its own, at most 120 "
        "characters (a reason given before a request); utterance: anywhere in the text checked, a turn "
        "(a context set once for all of it: banter with a regular). Entries get scope-before, scope-after, "
        "scope-earlier and scope-utterance mitigators only by naming them in options.mitigators.",
    )
    over: Literal["normalized", "original"] = Field(
        default="normalized",
        description="normalized: the pattern reads the normalised text (no punctuation, 您→你, repeats "
        "collapsed); original (scopes utterance and after only): the original characters, for signs "
        "normalisation removes (laughter 哈哈, emoji, the marks between a word and what follows it), with "
        "no jieba boundary check.",
    )
    also: str = Field(
        default="",
        description="A second regex the same span must hold too (slots allowed), read as `over` says: "
        "a context that needs two signs at once (laughter and a regular's name).",
    )
    reach: int = Field(
        default=2, ge=0, le=12,
        description="scope before: normalised characters allowed between the mitigator and the hit.",
    )
    boundary: bool = Field(
        default=True,
        description="The mitigator must start and end on jieba word boundaries (请 not in 申请).",
    )
    by_name: bool = Field(
        default=False,
        description="true: only entries that name it in options.mitigators take it, even at scope clause or "
        "sentence (a context that excuses one family's words and would excuse others': 它…真是个小傻瓜 "
        "describes a pet, 它自己体质差，跟我们没关系 still blames).",
    )
    questions: bool = Field(
        default=True,
        description="false: the mitigator does not hold where the hit's sentence is a question (it ends "
        "with ？ or, in speech-to-text, with 吗/吧/么/嘛 or a question word): a denial asked as a "
        "rhetorical question (你不是挺能的吗) asserts what it denies.",
    )

    @model_validator(mode="after")
    def _original_and_also_scopes(self) -> "Mitigator":
        # Only these scopes read original characters or a second regex; elsewhere they would be
        # silently ignored.
        if self.over != "normalized" and self.scope not in ("utterance", "after"):
            raise ValueError(f"mitigator {self.name}: `over: original` needs scope utterance or after")
        if self.also and self.scope != "utterance":
            raise ValueError(f"mitigator {self.name}: `also` needs scope utterance")
        return self


class Specs(_FileModel):
    """Texts the entry must find (``match``) and must not find (``no_match``)."""

    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class LexiconEntry(_FileModel):
    """One rule of a lexicon: what to find, how bad it is, what to say instead, and its specs."""

    id: RuleCode = Field(description="Rule code: two capital letters and three digits, e.g. FB001.")
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="kebab-case slug")
    category: str = Field(min_length=1)
    severity: Severity = Severity.error
    description: str = Field(min_length=1, description="What it flags, one line; the finding's message.")
    why: str = ""
    source: str = Field(default="", description="Where in the standards it comes from.")
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    anchors: list[str] = Field(default_factory=list)
    suggestion: str = ""
    allow: list[str] = Field(default_factory=list)
    options: EntryOptions = Field(default_factory=EntryOptions)
    specs: Specs = Field(default_factory=Specs)

    @field_validator("phrases", "anchors", "allow")
    @classmethod
    def _non_empty_items(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.strip():
                raise ValueError("empty phrase")
        return value

    @model_validator(mode="after")
    def _something_to_find(self) -> "LexiconEntry":
        if not self.phrases and not self.patterns:
            raise ValueError("an entry needs at least one of `phrases` or `patterns`")
        return self


def _unique_names(key: str, names: list[str]) -> None:
    # A second definition under the same name would silently replace the first in the name → context
    # table, so an entry naming it would take a context its author never meant.
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{key}: the name {name!r} is defined twice")
        seen.add(name)


class LexiconFile(_FileModel):
    """A whole lexicon file."""

    version: FormatVersion
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    kind: Literal["forbidden", "polite", "cue"]
    description: str = ""
    source: str = ""
    categories: list[str] = Field(default_factory=list, description="Allowed entry categories (empty: any).")
    min_specs: int = Field(default=0, ge=0, description="Each entry needs at least this many match and no_match specs.")
    allow: list[str] = Field(default_factory=list)
    skip_contexts: list[Context] = Field(
        default_factory=list,
        description="Default options.skip_contexts of every entry (match/contexts.py).",
    )
    mitigators: list[Mitigator] = Field(
        default_factory=list,
        description="What makes a hit polite in its clause or sentence (the `mitigated` context).",
    )
    default_mitigators: list[str] = Field(
        default_factory=list,
        description="The mitigators an entry takes when it sets neither options.skip_contexts nor "
        "options.mitigators: its hits are then also dropped in the `mitigated` context, of these only "
        "(e.g. [negation]: 我们绝不觉得您要求太多). Empty: such an entry takes none.",
    )
    conditions: list[Mitigator] = Field(
        default_factory=list,
        description="Contexts an entry can require with options.requires (same fields and scopes as "
        "mitigators): a hit of such an entry stands only where one of them holds. Never applied by default.",
    )
    slots: dict[str, str] = Field(
        default_factory=dict,
        description="Named regex fragments; a pattern writes {{name}} for (?:fragment) (docs/lexicon-format.md).",
    )
    entries: list[LexiconEntry] = Field(min_length=1)

    @field_validator("slots")
    @classmethod
    def _slots(cls, value: dict[str, str]) -> dict[str, str]:
        check_slots(value)  # unknown names, cycles, bad regex: reported once, per slot
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "LexiconFile":
        seen: set[str] = set()
        if not self.mitigators and any(
                "mitigated" in (e.options.skip_contexts or self.skip_contexts) for e in self.entries):
            raise ValueError("the `mitigated` context needs a lexicon-wide `mitigators:` list")
        for key, named in (("mitigators", self.mitigators), ("conditions", self.conditions)):
            _unique_names(key, [m.name for m in named])
        names = {m.name for m in self.mitigators}
        conditions = {c.name for c in self.conditions}
        unknown = [n for n in self.default_mitigators if n not in names]
        if unknown:
            raise ValueError(f"default_mitigators: unknown mitigator {unknown[0]!r} "
                             f"(the lexicon's: {', '.join(sorted(names)) or 'none'})")
        for entry in self.entries:
            if entry.id in seen:
                raise ValueError(f"duplicate entry id {entry.id}")
            unknown = [n for n in entry.options.mitigators or () if n not in names and n != DEFAULT_MITIGATORS]
            if unknown:
                raise ValueError(f"entry {entry.id}: unknown mitigator {unknown[0]!r} in options.mitigators "
                                 f"(the lexicon's: {', '.join(sorted(names)) or 'none'}; "
                                 f"{DEFAULT_MITIGATORS!r}: all clause and sentence ones)")
            required = [n for n in entry.options.requires if n not in conditions]
            if required:
                raise ValueError(f"entry {entry.id}: unknown condition {required[0]!r} in options.requires "
                                 f"(the lexicon's conditions: {', '.join(sorted(conditions)) or 'none'})")
            seen.add(entry.id)
            if self.categories and entry.category not in self.categories:
                raise ValueError(
                    f"entry {entry.id}: category {entry.category!r} is not one of {self.categories}"
                )
            for kind in ("match", "no_match"):
                if len(getattr(entry.specs, kind)) < self.min_specs:
                    raise ValueError(
                        f"entry {entry.id}: specs.{kind} needs at least {self.min_specs} texts"
                    )
        return self
