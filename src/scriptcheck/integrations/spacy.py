"""A spaCy pipeline component that checks every ``Doc`` as one agent utterance under a profile.

spaCy is an optional extra (``pip install "scriptcheck[spacy]"``); ``import scriptcheck`` never
imports it. The component is registered under the factory name ``scriptcheck`` through the
``spacy_factories`` entry point, so it can be added without importing scriptcheck first::

    import spacy
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("scriptcheck", config={"profile": "base", "lexicons": ["my_taboos.yaml"]})
    doc = nlp("你怎麼連這個也不懂")

Config: ``profile`` (packaged profile name or profile file, default ``"base"``), ``lexicons``
(extra lexicon files, default none) and ``span_key`` (default ``"scriptcheck"``).

The doc is scored as one agent turn under the profile, as ``scriptcheck lint`` scores one
reply, and the findings of every rule that judges a single utterance are kept: its lexicons'
forbidden phrases and the per-turn rule kinds (您 not 你 PL001, privacy, template hygiene where
the profile has them). Rules about a conversation (required steps, paired responses, order)
have nothing to judge in one utterance and are left out.

What it sets on each ``Doc``:

- ``doc.spans[span_key]``: one span per finding, ``span.label_`` = rule code (``FB006``);
- ``span._.scriptcheck_finding``: the :class:`~scriptcheck.models.Finding` (category,
  severity, message, suggestion …); ``span._.scriptcheck_chars``: its exact ``(start, end)``
  character offsets in ``doc.text``;
- ``doc._.scriptcheck``: a :class:`ScriptcheckResult` — ``findings`` (list of ``Finding``),
  ``phrases`` (service phrases found, list of :class:`~scriptcheck.lexicon.matcher.PhraseHit`) and
  ``polite``: ``True`` when no finding is of severity ``warning`` or worse (an ``info``
  finding is a remark, not a fault); ``None`` on a doc no scriptcheck component has
  processed. With several scriptcheck components in one pipeline it
  is the result of the last one; ``doc._.scriptcheck_results`` maps every ``span_key`` to
  its result.

Alignment. scriptcheck matches characters, not tokens: a disguised taboo (``你 怎 么``,
zero-width characters, traditional characters) or a jieba word that runs past the taboo can
make a finding start or end inside a spaCy token. A ``Span`` can only cover whole tokens, so
each span is ``doc.char_span(start, end, alignment_mode="expand")``: the smallest run of tokens
that covers the finding (``span.start_char <= start`` and ``span.end_char >= end``). The exact
offsets are kept in ``span._.scriptcheck_chars`` and in the ``Finding`` itself, so
``doc.text[start:end] == finding.text`` always holds.

Storage. The per-doc data lives in ``doc.user_data`` as plain JSON-like values (not pydantic
objects), so docs still go through ``Doc.to_bytes``, ``DocBin(store_user_data=True)`` and
``nlp.pipe(n_process=2)``; the extensions above are getters that rebuild ``Finding`` objects
from it. Each span carries an id (``span.id_``) pointing at its finding, because spaCy keys
span extension values by character offsets only and two findings can expand to the same
tokens.

Saving. ``nlp.to_disk`` copies every extra lexicon file into the component's directory
(``lexicons/``) and writes ``cfg.json`` (profile, span_key, the copied files);
``spacy.load`` / ``nlp.from_disk`` reads them from there, so a saved pipeline keeps working
after the original lexicon files are gone. A profile given as a *file* is referenced by its
absolute path, not copied (a profile can ``extends`` others and name lexicons relative to
itself); packaged profiles are referenced by name. ``nlp.to_bytes`` carries the extra
lexicons' contents too (``from_bytes`` writes them to a private temporary folder that lives as
long as the component).
"""

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

try:
    from spacy.language import Language
    from spacy.tokens import Doc, Span
except ImportError as exc:  # spaCy is an optional extra; say how to get it.
    raise ImportError(
        'scriptcheck.integrations.spacy needs spaCy, an optional extra: pip install "scriptcheck[spacy]"',
        name=exc.name,
    ) from exc

from scriptcheck.errors import ScriptcheckError
from scriptcheck.lexicon.matcher import PhraseHit
from scriptcheck.models import Finding, Severity, Transcript, Turn
from scriptcheck.resources import is_path_reference
from scriptcheck.scoring import ProfileScorer

__all__ = [
    "ScriptcheckComponent",
    "ScriptcheckResult",
    "make_scriptcheck",
    "register_extensions",
    "FACTORY_NAME",
]

FACTORY_NAME = "scriptcheck"

# Where the raw per-doc results live in ``doc.user_data``: one entry per span_key, so two
# scriptcheck components (say two profiles) in one pipeline do not overwrite each other.
_USER_DATA = "scriptcheck"
# Prefix of span ids: ``scriptcheck:<span_key>:<index into that key's findings>``.
_ID_PREFIX = "scriptcheck:"
_CFG_FILE = "cfg.json"
_LEXICON_DIR = "lexicons"


@dataclass(frozen=True)
class ScriptcheckResult:
    """What one scriptcheck component found in one ``Doc`` (``doc._.scriptcheck``).

    ``polite`` is ``True`` when no finding is of severity ``warning`` or worse.
    """

    findings: List[Finding]
    phrases: List[PhraseHit]
    polite: bool
    profile: str
    span_key: str


# -- extensions -------------------------------------------------------------------------------


def _raw_results(doc: Doc) -> Dict[str, Dict[str, Any]]:
    """span_key -> raw result, in the order the components last wrote them."""
    return {key[1]: value for key, value in doc.user_data.items()
            if isinstance(key, tuple) and len(key) == 2 and key[0] == _USER_DATA}


def _result(raw: Dict[str, Any], span_key: str) -> ScriptcheckResult:
    findings = [Finding.model_validate(f["finding"]) for f in raw["findings"]]
    return ScriptcheckResult(
        findings=findings,
        phrases=[PhraseHit(*p) for p in raw["phrases"]],
        polite=raw["polite"],
        profile=raw["profile"],
        span_key=span_key,
    )


def _doc_result(doc: Doc) -> Optional[ScriptcheckResult]:
    raws = _raw_results(doc)
    if not raws:
        return None
    span_key, raw = list(raws.items())[-1]
    return _result(raw, span_key)


def _doc_results(doc: Doc) -> Dict[str, ScriptcheckResult]:
    return {key: _result(raw, key) for key, raw in _raw_results(doc).items()}


def _span_raw(span: Span) -> Optional[Dict[str, Any]]:
    """The raw finding a scriptcheck span points at, or ``None`` for any other span."""
    ident = span.id_
    if not ident.startswith(_ID_PREFIX):
        return None
    span_key, _, index = ident[len(_ID_PREFIX):].rpartition(":")
    raw = span.doc.user_data.get((_USER_DATA, span_key))
    if raw is None or not index.isdigit() or int(index) >= len(raw["findings"]):
        return None
    item = raw["findings"][int(index)]
    # Guard against a span copied onto another doc or a doc re-processed since.
    return item if item["finding"]["rule"] == span.label_ else None


def _span_finding(span: Span) -> Optional[Finding]:
    item = _span_raw(span)
    return None if item is None else Finding.model_validate(item["finding"])


def _span_chars(span: Span) -> Optional[Tuple[int, int]]:
    item = _span_raw(span)
    return None if item is None else (item["finding"]["start"], item["finding"]["end"])


def register_extensions() -> None:
    """Register ``doc._.scriptcheck``, ``doc._.scriptcheck_results``,
    ``span._.scriptcheck_finding`` and ``span._.scriptcheck_chars``.

    Called on import; ``force=True`` so re-importing (or reloading) never fails.
    """
    Doc.set_extension("scriptcheck", getter=_doc_result, force=True)
    Doc.set_extension("scriptcheck_results", getter=_doc_results, force=True)
    Span.set_extension("scriptcheck_finding", getter=_span_finding, force=True)
    Span.set_extension("scriptcheck_chars", getter=_span_chars, force=True)


register_extensions()


# -- the component ------------------------------------------------------------------------------


class ScriptcheckComponent:
    """Scores each ``Doc`` with a :class:`~scriptcheck.ProfileScorer` (see the module docstring).

    The scorer is built on first use, not here: ``spacy.load`` first creates the component
    from the saved config (whose ``lexicons`` may name files that no longer exist) and only
    then calls :meth:`from_disk`, which points it at the copies saved with the pipeline.
    Call :meth:`initialize` (or ``nlp.initialize()``) to build it — and surface a bad profile
    or lexicon — up front.
    """

    def __init__(self, nlp: Language, name: str = FACTORY_NAME, *, profile: str = "base",
                 lexicons: Iterable[Union[str, Path]] = (), span_key: str = "scriptcheck") -> None:
        self.name = name
        self.profile = _profile_ref(profile)
        self.lexicons: List[str] = [str(p) for p in lexicons]
        self.span_key = span_key
        self._scorer: Optional[ProfileScorer] = None
        self._unpacked: Optional[tempfile.TemporaryDirectory] = None  # lexicons from from_bytes

    @property
    def scorer(self) -> ProfileScorer:
        """The scorer for this component's profile and lexicons (built on first access)."""
        if self._scorer is None:
            self._scorer = ProfileScorer.load(self.profile, extra_lexicons=self.lexicons)
        return self._scorer

    @property
    def _conversation_rules(self) -> frozenset:
        """Codes of the profile's rules that judge a conversation, not one utterance."""
        return frozenset(r.id for r in self.scorer.profile.data.rules if not r.per_turn)

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Any]]] = None, *,
                   nlp: Optional[Language] = None) -> None:
        """Build the scorer now (spaCy calls this from ``nlp.initialize()``)."""
        self.scorer  # noqa: B018 - the property builds and caches it

    def __call__(self, doc: Doc) -> Doc:
        """Check ``doc.text``; set ``doc.spans[span_key]`` and the raw data behind the extensions."""
        scorer = self.scorer
        report = scorer.score(Transcript(id="doc", turns=[Turn(speaker="agent", text=doc.text)]))
        conversation_rules = self._conversation_rules
        located = [f.model_copy(update={"turn": None}) for f in report.findings
                   if f.rule not in conversation_rules and f.start is not None]
        phrases = scorer.matcher.scan(doc.text, forbidden=False).phrases
        spans: List[Span] = []
        findings: List[Dict[str, Any]] = []
        for finding in located:
            index = len(findings)
            findings.append({"finding": finding.model_dump(mode="json")})
            span = _covering_span(doc, finding.start, finding.end, finding.rule,
                                  f"{_ID_PREFIX}{self.span_key}:{index}")
            if span is not None:
                spans.append(span)
        raw = {
            "profile": self.profile,
            "polite": not any(f.severity >= Severity.warning for f in located),
            "findings": findings,
            "phrases": [list(p) for p in phrases],
        }
        key = (_USER_DATA, self.span_key)
        # Re-insert so this component's result is the latest one (what doc._.scriptcheck shows).
        doc.user_data.pop(key, None)
        doc.user_data[key] = raw
        doc.spans[self.span_key] = spans
        return doc

    # -- serialisation -------------------------------------------------------------------------

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The config and the contents of every extra lexicon, as bytes."""
        cfg = {"profile": self.profile, "span_key": self.span_key,
               "lexicons": [{"name": filename, "text": Path(src).read_text(encoding="utf-8-sig")}
                            for filename, src in zip(_copy_names(self.lexicons), self.lexicons)]}
        return json.dumps(cfg, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "ScriptcheckComponent":
        """Load what :meth:`to_bytes` wrote; the lexicons go to a private temporary folder
        (removed with the component) and the scorer is built right away."""
        try:
            cfg = json.loads(data.decode("utf-8"))
            folder = tempfile.TemporaryDirectory(prefix="scriptcheck-spacy-")
            lexicons = []
            for item in cfg["lexicons"]:
                target = Path(folder.name) / Path(item["name"]).name  # a name, never a path
                target.write_text(item["text"], encoding="utf-8")
                lexicons.append(str(target))
            profile, span_key = cfg["profile"], cfg["span_key"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ScriptcheckError(f"cannot read the scriptcheck component from bytes: {exc}") from None
        self.profile, self.span_key, self.lexicons = profile, span_key, lexicons
        self._unpacked = folder
        self._scorer = None
        self.initialize()
        return self

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        """Write ``cfg.json`` and a copy of every extra lexicon file under ``path``."""
        path = Path(path)
        # Read every source before touching the target: when re-saving a loaded pipeline over
        # itself the sources are the very files in ``path/lexicons``.
        blobs = [(filename, Path(src).read_bytes())
                 for filename, src in zip(_copy_names(self.lexicons), self.lexicons)]
        target = path / _LEXICON_DIR
        if target.exists():
            shutil.rmtree(target)  # drop stale copies from an earlier save
        target.mkdir(parents=True)
        for filename, data in blobs:
            (target / filename).write_bytes(data)
        cfg = {"profile": self.profile, "span_key": self.span_key,
               "lexicons": [filename for filename, _ in blobs]}
        (path / _CFG_FILE).write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "ScriptcheckComponent":
        """Load what :meth:`to_disk` wrote; the lexicons are read from ``path``, not from
        where they were originally, and the checker is built right away."""
        path = Path(path)
        cfg_path = path / _CFG_FILE
        try:
            cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScriptcheckError(f"{cfg_path}: cannot read the scriptcheck component config: {exc}") from None
        self.profile = cfg["profile"]
        self.span_key = cfg["span_key"]
        self.lexicons = [str(path / _LEXICON_DIR / filename) for filename in cfg["lexicons"]]
        self._scorer = None
        self.initialize()
        return self


def _copy_names(sources: List[str]) -> List[str]:
    """File names for the saved copies: each source's own name, numbered only on a clash.

    Stable under a re-save (a loaded pipeline's lexicons already have unique names), so saving
    a loaded pipeline over its own directory rewrites the very files it reads from.
    """
    used: set = set()
    names = []
    for i, src in enumerate(sources):
        name = Path(src).name
        while name in used:
            name = f"{i:02d}-{name}"
        used.add(name)
        names.append(name)
    return names


def _profile_ref(profile: Union[str, Path]) -> str:
    """A packaged profile name as is; a profile file as an absolute path, so a saved pipeline
    still finds it when loaded from another working directory."""
    if is_path_reference(profile):
        return str(Path(profile).resolve())
    return str(profile)


def _covering_span(doc: Doc, start: int, end: int, label: str, span_id: str) -> Optional[Span]:
    """The smallest run of tokens covering characters ``[start, end)``."""
    span = doc.char_span(start, end, label=label, span_id=span_id, alignment_mode="expand")
    if span is not None and span.start_char <= start and span.end_char >= end:
        return span
    # char_span returns None (or a span short of the edge) when an edge lies in whitespace that
    # belongs to no token's text; fall back to the tokens overlapping [start, end).
    first = next((t.i for t in doc if t.idx + len(t.text) > start), None)
    last = next((t.i for t in reversed(doc) if t.idx < end), None)
    if first is None or last is None or last < first:
        return None
    return Span(doc, first, last + 1, label=label, span_id=span_id)


@Language.factory(
    FACTORY_NAME,
    default_config={"profile": "base", "lexicons": [], "span_key": "scriptcheck"},
    assigns=["doc._.scriptcheck", "doc._.scriptcheck_results"],
)
def make_scriptcheck(nlp: Language, name: str, profile: str, lexicons: List[str],
                     span_key: str) -> ScriptcheckComponent:
    """spaCy factory for :class:`ScriptcheckComponent` (``nlp.add_pipe("scriptcheck", config=…)``)."""
    return ScriptcheckComponent(nlp, name, profile=profile, lexicons=lexicons, span_key=span_key)
