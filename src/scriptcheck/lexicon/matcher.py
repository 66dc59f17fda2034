"""The phrase matcher: lexicons compiled once into one automaton, cheap to call on many texts.

It knows lexicons and nothing of profiles: it finds forbidden phrases (as findings), service
phrases and customer cues in a text, with spans in the original text. The profile scorer
(``scoring.engine``) owns one.
"""

from __future__ import annotations

import dataclasses
from itertools import chain, count, repeat
from typing import Iterable, NamedTuple, Sequence

from scriptcheck.datafile import paused_gc
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.compiled import Lexicon, RuleInfo
from scriptcheck.lexicon.schema import LexiconEntry
from scriptcheck.lexicon.tone import ToneModel, default_tone, is_packaged_forbidden, tone_overridden
from scriptcheck.match.engine import Matcher
from scriptcheck.models import Finding, Severity, make_finding
from scriptcheck.text.normalize import Normalized, normalize
from scriptcheck.text.segment import Segmenter, Token

__all__ = ["PhraseMatcher", "PhraseHit", "Scan", "drop_nested"]

_NONE: frozenset[int] = frozenset()
# PhraseHit(...) runs the NamedTuple's generated __new__, a Python function, for every hit:
# tuple.__new__ builds the same object directly.
_tuple_new = tuple.__new__
_PLAN_ENTRIES_KEPT = 256  # distinct category sequences remembered by scan_many
# What a matcher entry's hit is (see _hit_info): a service phrase or cue, a taboo (a finding),
# or the tone model's gate (routed to the tone model, never reported itself).
_PHRASE, _TABOO, _GATE = 0, 1, 2


class PhraseHit(NamedTuple):
    """A service phrase (polite lexicon) or cue (customer-cue lexicon) found in an utterance,
    at original ``[start, end)``."""

    rule: str
    category: str
    start: int
    end: int
    text: str


class Scan(NamedTuple):
    """Everything one pass over an utterance found: findings and phrases (service phrases;
    customer cues too when asked for)."""

    findings: list[Finding]
    phrases: list[PhraseHit]


class PhraseMatcher:
    """Finds the phrases of lexicons in texts.

    Build it once (it compiles one automaton over every lexicon) and call :meth:`check`,
    :meth:`find_phrases` or :meth:`scan` on as many texts as you like; it keeps no per-call
    state and never touches jieba's global tokenizer.

    Lexicons are of three kinds: ``forbidden`` (hits are findings), ``polite`` (service
    phrases) and ``cue`` (what a customer says that calls for a response). Service phrases
    and cues are both phrase hits; which ones a query returns is said by its arguments.
    """

    def __init__(self, lexicons: Sequence[Lexicon], segmenter: Segmenter | None = None,
                 tone: ToneModel | None | str = "auto") -> None:
        lexicons = tuple(lexicons)
        # The tone model (lexicon.tone): with "auto", the packaged one whenever the packaged
        # forbidden lexicon is loaded (unless SCRIPTCHECK_TONE=off); None turns it off. Settled
        # before the automaton is built, since its gate is built into it (see _build).
        if tone == "auto":
            tone = default_tone() if any(is_packaged_forbidden(lx) for lx in lexicons) else None
        tone = tone_overridden(tone, [lx.tone for lx in lexicons])  # type: ignore[arg-type]
        with paused_gc():  # an object or more per entry and per literal: see datafile.paused_gc
            self._build(lexicons, segmenter, tone)
        self.tone: ToneModel | None = tone

    def _build(self, lexicons: Sequence[Lexicon], segmenter: Segmenter | None, tone: ToneModel | None) -> None:
        self.lexicons = tuple(lexicons)
        # (lexicon, its entry's RuleInfo) per matcher entry: the light records findings need;
        # the pydantic entries are asked for only by rule() and rules() (see Lexicon.rules).
        # Built lexicon by lexicon rather than entry by entry: at 10,000 entries the per-entry
        # loop was a noticeable part of a warm start.
        self._entries: list[tuple[Lexicon, RuleInfo]] = []
        match_entries: list = []
        kinds: dict[str, list[range]] = {"forbidden": [], "polite": [], "cue": []}
        # Per matcher entry: what its hits are (a phrase or cue, a taboo, the tone model's gate)
        # and its record (a gate entry: the key the tone model is told), looked up once per hit.
        self._hit_info: list[tuple[int, object]] = []
        self._by_id: dict[str, tuple[Lexicon, int]] = {}  # rule code → (lexicon, position there), for rule()
        # The rule codes a tone model's lexicon veto may drop: the packaged forbidden lexicon's only
        # (ToneModel.vetoes; the model was measured against no other lexicon).
        vetoable: list[str] = []
        for group, lexicon in enumerate(self.lexicons):
            rules, compiled = lexicon.rules, lexicon.match_entries
            ids = [info.id for info in rules]
            if not self._by_id.keys().isdisjoint(ids) or len(set(ids)) < len(ids):
                self._duplicate(ids, lexicon)
            self._by_id.update(zip(ids, zip(repeat(lexicon), count())))
            if is_packaged_forbidden(lexicon):
                vetoable.extend(ids)
            kinds.setdefault(lexicon.kind, []).append(range(len(self._entries), len(self._entries) + len(rules)))
            self._entries.extend(zip(repeat(lexicon), rules))
            self._hit_info.extend(zip(repeat(_TABOO if lexicon.kind == "forbidden" else _PHRASE), rules))
            if all(entry.group == group for entry in compiled):
                match_entries.extend(compiled)
            else:
                match_entries.extend(dataclasses.replace(entry, group=group) for entry in compiled)
        self._vetoable = frozenset(vetoable)
        self.segmenter = segmenter or Segmenter()
        # The tone model's gate joins the lexicon entries (after them, in a group of its own so
        # no lexicon's allow-list reaches it): the automaton that scans an agent turn for taboos
        # finds what the gate looks for in the same pass, where the tone model used to scan
        # every turn again with its own matcher. Its hits go to the tone model (scan_many).
        # _gate_tone is the model they were built for: another one set later runs its own gate.
        gate = tone.gate_entries_in(len(self.lexicons)) if tone is not None else ()
        self._gate_tone = tone if gate else None
        match_entries += gate
        self._matcher = Matcher(match_entries, self.segmenter)
        self._subset_matchers: dict[frozenset[str], tuple[Matcher, list[int]]] = {}
        self._prepared = False  # prepare() was called: the subset matchers made later build at once too
        self._category_entries: dict[tuple[frozenset[str], bool], frozenset[int]] = {}
        # (categories of each text, forbidden) → the entry sets of each text: see scan_many
        self._plan_entries: dict[tuple, list[frozenset[int]]] = {}
        self._forbidden = frozenset(chain.from_iterable(kinds["forbidden"]))
        self._polite = frozenset(chain.from_iterable(kinds["polite"]))
        self._cues = frozenset(chain.from_iterable(kinds["cue"]))
        # Whenever taboos are looked for, the tone model runs too: its gate entries go with them.
        first_gate = len(self._entries)
        self._taboo_search = self._forbidden | frozenset(range(first_gate, first_gate + len(gate)))
        # The entries of each choice of kinds, built once: callers such as check() ask per text.
        self._kind_entries: dict[tuple[bool, bool, bool], frozenset[int] | None] = {
            (f, p, c): (None if f and p and c else
                        (self._taboo_search if f else _NONE) | (self._polite if p else _NONE) | (self._cues if c else _NONE))
            for f in (False, True) for p in (False, True) for c in (False, True)}
        # A gate entry's hits go to the tone model, which is told its key.
        self._hit_info += [(_GATE, key) for key in (tone.gate_keys if gate else ())]  # type: ignore[union-attr]

    def _duplicate(self, ids: list[str], lexicon: Lexicon) -> None:
        """Raise :class:`LexiconError` for the first rule code of ``ids`` defined before (in an
        earlier lexicon, or earlier in this one)."""
        seen = {code: lx.path for code, (lx, _) in self._by_id.items()}
        for code in ids:
            if code in seen:
                raise LexiconError(f"rule {code} is defined twice: in {seen[code]} and in {lexicon.path}")
            seen[code] = lexicon.path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(lx.name for lx in self.lexicons)})"

    @property
    def phrase_categories(self) -> frozenset[str]:
        """The categories of every service phrase and cue (what rules may ask about)."""
        return frozenset(e.category for lx, e in self._entries if lx.kind != "forbidden")

    # -- queries ----------------------------------------------------------------------------

    def check(self, text: str) -> list[Finding]:
        """Forbidden phrases in ``text``, as findings whose spans index ``text``."""
        return self.scan(text, polite=False).findings

    def find_phrases(self, text: str, categories: Iterable[str] | None = None) -> list[PhraseHit]:
        """Service phrases (polite lexicons) in ``text``, optionally only of some categories."""
        hits = self.scan(text, forbidden=False).phrases
        if categories is not None:
            wanted = set(categories)
            hits = [h for h in hits if h.category in wanted]
        return hits

    def find_cues(self, text: str, categories: Iterable[str] | None = None) -> list[PhraseHit]:
        """Customer cues (cue lexicons) in ``text``, optionally only of some categories."""
        hits = self.scan(text, forbidden=False, polite=False, cues=True).phrases
        if categories is not None:
            wanted = set(categories)
            hits = [h for h in hits if h.category in wanted]
        return hits

    def scan(self, text: str, *, forbidden: bool = True, polite: bool = True, cues: bool = False) -> Scan:
        """One pass over ``text`` for findings (``forbidden``), service phrases (``polite``)
        and customer cues (``cues``)."""
        return self.scan_normalized(normalize(text), forbidden=forbidden, polite=polite, cues=cues)

    def scan_normalized(self, norm: Normalized, *, forbidden: bool = True, polite: bool = True,
                        cues: bool = False, turn: int | None = None) -> Scan:
        """:meth:`scan` for text already normalised (callers that reuse the search string);
        ``turn`` is recorded in the findings."""
        return self.scan_many((norm,), (turn,), forbidden=forbidden, polite=polite, cues=cues)[0]

    def scan_many(self, norms: Sequence[Normalized], turns: Sequence[int | None] | None = None, *,
                  forbidden: bool = True, polite: bool = True, cues: bool = False,
                  categories: Sequence[frozenset[str]] | None = None) -> list[Scan]:
        """:meth:`scan_normalized` for several texts (a transcript's turns) in one pass of the
        matcher; ``turns[i]`` is recorded in the findings of ``norms[i]``.

        With ``categories``, text ``i`` is scanned for the taboos (when ``forbidden``) and for
        the phrases of ``categories[i]`` only, of whatever kind (a scan plan asks for what the
        rules will ask about; ``polite`` and ``cues`` are then ignored)."""
        only_each = None
        if categories is not None:
            only = None
            # A scan plan asks for one of a few category sequences (one per number of agent
            # turns, rules/plan.py): the entry sets of each are worked out once, not per turn.
            # (Keyed by the categories themselves, so a caller's reused list cannot go stale;
            # frozensets keep their hash.)
            key = (tuple(categories), forbidden)
            only_each = self._plan_entries.get(key)
            if only_each is None:
                only_each = [self._entries_for(c, forbidden) for c in categories]
                if len(self._plan_entries) >= _PLAN_ENTRIES_KEPT:
                    self._plan_entries.clear()
                self._plan_entries[key] = only_each
        else:
            only = self._kind_entries[forbidden, polite, cues]
        info = self._hit_info
        found = self._matcher.find_many(norms, only, only_each)
        tone = self.tone if forbidden else None
        shared = tone is not None and tone is self._gate_tone  # its gate ran in this very pass
        vetoable = self._vetoable if tone is not None and tone.lexicon_veto is not None else _NONE
        scans = []
        gated: list[tuple[int, list[tuple[int, int]]]] = []  # (text, its gate hits) for the tone model
        for at, hits in enumerate(found):
            findings: list[Finding] = []
            phrases: list[PhraseHit] = []
            if hits:
                text = norms[at].original
                turn = None if turns is None else turns[at]
                gate: list[tuple[int, int]] | None = None
                veto = False  # a finding the tone model's lexicon veto may drop
                for index, start, end in hits:
                    kind, entry = info[index]
                    if kind == _TABOO:
                        veto = veto or entry.id in vetoable
                        findings.append(make_finding({
                            "rule": entry.id, "category": entry.category, "severity": entry.severity,
                            "start": start, "end": end, "text": text[start:end],
                            "message": entry.description, "suggestion": entry.suggestion, "turn": turn,
                        }))
                    elif kind == _PHRASE:
                        phrases.append(_tuple_new(PhraseHit, (entry.id, entry.category, start, end, text[start:end])))
                    elif gate is None:
                        gate = [(start, entry)]
                    else:
                        gate.append((start, entry))
                if gate is not None and shared:
                    gated.append((at, gate))
                if veto:
                    findings = _vetted(findings, vetoable, text, tone)  # type: ignore[arg-type]
                # Where the tone model may add findings, drop_nested waits for them (_add_toned).
                if len(findings) > 1 and (tone is None or (shared and gate is None)):
                    findings = drop_nested(findings)
            scans.append(_tuple_new(Scan, (findings, phrases)))
        # The tone model gets the lexicon hits too: a sentence a taboo overlaps is not scored,
        # the taboo's own finding says it better (so no tone finding overlaps a lexicon finding).
        if shared:
            if gated:
                _add_toned(scans, [at for at, _ in gated],
                           tone.findings_gated(norms, gated, turns, found, self._forbidden))  # type: ignore[union-attr]
        elif tone is not None:  # a tone model set after this matcher was built: its own gate pass
            _add_toned(scans, range(len(norms)), tone.findings_many(norms, turns, found, self._forbidden))
        return scans

    def _entries_for(self, categories: frozenset[str], forbidden: bool) -> frozenset[int]:
        """Matcher entries of the service phrases of ``categories``, plus every taboo when
        ``forbidden`` (cached: a profile asks for a handful of distinct sets)."""
        key = (categories, forbidden)
        entries = self._category_entries.get(key)
        if entries is None:
            entries = frozenset(i for i, (lx, e) in enumerate(self._entries)
                                if lx.kind != "forbidden" and e.category in categories)
            if forbidden:
                entries |= self._taboo_search
            self._category_entries[key] = entries
        return entries

    @property
    def matcher(self) -> Matcher:
        """The literal-and-pattern matcher over every lexicon's entries (and the tone model's
        gate), in the order of :attr:`lexicons`."""
        return self._matcher

    def prepare(self) -> None:
        """Build the automata now, and those of the category matchers made later as soon as
        they are made, rather than after their first texts: for a caller about to scan many
        texts (``scriptcheck score`` on a large input), where the literal lookups that serve
        the first texts of a short run are wasted. Results are the same either way."""
        self._prepared = True
        self._matcher.prepare()
        for matcher, _ in self._subset_matchers.values():
            matcher.prepare()

    def phrases_in(self, norm: Normalized, categories: frozenset[str]) -> list[PhraseHit]:
        """Service phrases and cues of ``categories`` only, with a matcher compiled for just
        those entries (customer turns need a handful of cue categories, not every lexicon)."""
        return self.phrases_many((norm,), categories)[0]

    def phrases_many(self, norms: Sequence[Normalized], categories: frozenset[str]) -> list[list[PhraseHit]]:
        """:meth:`phrases_in` for several texts in one pass of the matcher."""
        if not categories or not norms:
            return [[] for _ in norms]
        cached = self._subset_matchers.get(categories)
        if cached is None:
            indices = sorted(self._entries_for(categories, False))
            cached = (Matcher([self._matcher.entries[i] for i in indices], self.segmenter), indices)
            if self._prepared:
                cached[0].prepare()
            self._subset_matchers[categories] = cached
        matcher, indices = cached
        entries = self._entries
        out = []
        for norm, hits in zip(norms, matcher.find_many(norms)):
            text = norm.original
            found = []
            for index, start, end in hits:
                entry = entries[indices[index]][1]
                found.append(_tuple_new(PhraseHit, (entry.id, entry.category, start, end, text[start:end])))
            out.append(found)
        return out

    def rule(self, code: str) -> LexiconEntry:
        """The entry behind a rule code; ``KeyError`` if no loaded lexicon defines it."""
        lexicon, index = self._by_id[code]
        return lexicon.entries[index]

    def rules(self) -> list[tuple[Lexicon, LexiconEntry]]:
        """Every loaded (lexicon, entry), in load order."""
        return [(lexicon, entry) for lexicon in self.lexicons for entry in lexicon.entries]

    def segment(self, text: str) -> list[Token]:
        """jieba tokens of ``text`` from this matcher's own tokenizer."""
        return self.segmenter.tokens(text)


def _vetted(findings: list[Finding], vetoable: frozenset[str], text: str, tone: ToneModel) -> list[Finding]:
    """``findings`` of the turn ``text`` without those of the ``vetoable`` rules when the tone
    model's lexicon veto drops them (ToneModel.vetoes); a critical one among them (an insult, a
    threat) keeps them all."""
    doomed = [f for f in findings if f.rule in vetoable]
    if any(f.severity is Severity.critical for f in doomed):
        return findings
    if not tone.vetoes(text, max(f.end - f.start for f in doomed)):
        return findings
    return [f for f in findings if f.rule not in vetoable]


def _add_toned(scans: list[Scan], toned_at: Iterable[int], toned_each: Iterable[list[Finding]]) -> None:
    """Put the tone model's findings ``toned_each[k]`` of text ``toned_at[k]`` before that
    text's lexicon findings, then keep the most specific finding for the same words (the
    lexicon findings of these texts have not been through :func:`drop_nested` yet)."""
    for at, toned in zip(toned_at, toned_each):
        findings, phrases = scans[at]
        if not findings:
            if toned:
                scans[at] = _tuple_new(Scan, (toned, phrases))
            continue
        if toned:
            findings = [*toned, *findings]
        if len(findings) > 1:
            scans[at] = _tuple_new(Scan, (drop_nested(findings), phrases))


def drop_nested(findings: list[Finding]) -> list[Finding]:
    """Keep only the most specific taboo for the same words: a finding whose span lies inside
    another rule's longer finding — or has the same span and is less severe — is the same fault
    counted twice (这是规定，我也没办法 is one 推卸责任, not two). So is one that starts inside
    an earlier finding and shares most of its words with it (怎么连这都不懂 and 这都不懂啊): with
    hundreds of entries, several describe the same words. Linear after a sort."""
    best: dict[tuple[int, int], Finding] = {}
    for f in findings:
        kept = best.get((f.start, f.end))
        if kept is None or (f.severity.rank, kept.rule) > (kept.severity.rank, f.rule):
            best[(f.start, f.end)] = f
    out = []
    reach = -1  # the furthest end among spans that start earlier (or same start, longer)
    reached: Finding | None = None  # the finding that reaches that far
    for (start, end), f in sorted(best.items(), key=lambda item: (item[0][0], -item[0][1])):
        if end <= reach:
            continue  # inside what is already reported
        if (3 * (reach - start) >= 2 * (end - start) and reached is not None
                and f.severity.rank <= reached.severity.rank):
            continue  # mostly inside it, and no worse: the same words, the same fault
        reach, reached = end, f
        out.append(f)
    out.sort(key=lambda f: (f.start, -f.end, f.rule))
    return out
