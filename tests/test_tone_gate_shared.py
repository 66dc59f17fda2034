"""The tone model's gate shares the lexicon matcher's pass (lexicon.matcher): what one pass
finds must be exactly what the two passes found before — the lexicon matcher alone, then the
tone model's own gate matcher (``ToneModel.findings_many``) — hits and findings alike.

The reference below is ``PhraseMatcher.scan_many`` as it was with two passes, run on a matcher
built without the tone model. Texts: the dev data (``benchmarks/data/*.yaml``), every Chinese
string of the tests and their data, and generated text made of the gate's own literals.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from scriptcheck import Checker
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicons
from scriptcheck.lexicon.matcher import PhraseHit, PhraseMatcher, Scan, drop_nested
from scriptcheck.lexicon.tone import ToneModel, load_tone
from scriptcheck.models import Severity, make_finding
from scriptcheck.text.normalize import normalize, normalize_many

from .dev_data import data_documents, evenly_spaced
from .test_transcript_scan import PIECES

ROOT = Path(__file__).resolve().parent.parent
TONE = load_tone()
_CJK = re.compile("[\u4e00-\u9fff]")
_BATCH = 7  # texts per scan_many call: several turns of one transcript
_DEV_SAMPLE = 5_000  # dev texts checked: enough for every kind of hit, bounded in time


def _strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        if _CJK.search(value):
            out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, out)


@lru_cache(maxsize=None)
def _texts(source: str) -> tuple[str, ...]:
    """The Chinese texts of the dev data (``dev``) or of the tests and their data (``tests``)."""
    out: list[str] = []
    if source == "dev":
        _strings(list(data_documents()), out)
        out = list(evenly_spaced(list(dict.fromkeys(out)), _DEV_SAMPLE))
    else:
        for path in sorted((ROOT / "tests").rglob("*")):
            if path.suffix == ".py":
                _strings([n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                          if isinstance(n, ast.Constant)], out)
            elif path.suffix in (".yml", ".yaml"):
                _strings(yaml.safe_load(path.read_text(encoding="utf-8")), out)
            elif path.suffix in (".json", ".jsonl"):
                for line in path.read_text(encoding="utf-8").splitlines() if path.suffix == ".jsonl" else [path.read_text(encoding="utf-8")]:
                    if line.strip():
                        _strings(json.loads(line), out)
        _strings([TONE.data.examples.match, TONE.data.examples.no_match], out)
    return tuple(dict.fromkeys(out))


def _two_pass(ref: PhraseMatcher, tone: ToneModel | None, norms, turns=None, *, forbidden=True, polite=True,
              cues=False, categories=None) -> list[Scan]:
    """``scan_many`` before the gate joined the lexicon automaton: the lexicon matcher's pass
    over ``norms`` (``ref`` has no tone model), then the tone model's own gate pass."""
    if categories is not None:
        only, only_each = None, [ref._entries_for(c, forbidden) for c in categories]
    else:
        only, only_each = ref._kind_entries[forbidden, polite, cues], None
    found = ref._matcher.find_many(norms, only, only_each)
    toned_each = tone.findings_many(norms, turns, found, ref._forbidden) if forbidden and tone is not None else None
    scans = []
    for at, hits in enumerate(found):
        findings, phrases = [], []
        toned = toned_each[at] if toned_each is not None else []
        if hits:
            text = norms[at].original
            turn = None if turns is None else turns[at]
            for index, start, end in hits:
                lexicon, entry = ref._entries[index]
                if lexicon.kind == "forbidden":
                    findings.append(make_finding({
                        "rule": entry.id, "category": entry.category, "severity": entry.severity,
                        "start": start, "end": end, "text": text[start:end],
                        "message": entry.description, "suggestion": entry.suggestion, "turn": turn,
                    }))
                else:
                    phrases.append(PhraseHit(entry.id, entry.category, start, end, text[start:end]))
            # The lexicon veto (ToneModel.vetoes) judges the lexicon's findings before the model's join.
            doomed = [f for f in findings if f.rule in ref._vetoable]
            if (doomed and tone is not None and tone.lexicon_veto is not None
                    and all(f.severity is not Severity.critical for f in doomed)
                    and tone.vetoes(text, max(f.end - f.start for f in doomed))):
                findings = [f for f in findings if f.rule not in ref._vetoable]
            if toned:
                findings = [*toned, *findings]
            if len(findings) > 1:
                findings = drop_nested(findings)
        elif toned:
            findings = toned
        scans.append(Scan(findings, phrases))
    return scans


def _split_hits(one: PhraseMatcher, norms, only):
    """The one pass's hits of ``norms``, as the lexicon's hits and the gate's (start, key)."""
    count = len(one.rules())
    keys = one.tone.gate_keys if one.tone is not None else ()
    lexicon, gate = [], []
    for hits in one._matcher.find_many(norms, only):
        lexicon.append([h for h in hits if h.entry < count])
        gate.append([(h.start, keys[h.entry - count]) for h in hits if h.entry >= count])
    return lexicon, gate


def _batches(texts):
    return [list(texts[i:i + _BATCH]) for i in range(0, len(texts), _BATCH)]


_LEXICONS = load_lexicons(DEFAULT_LEXICONS, verify=False)


@lru_cache(maxsize=None)
def _pair(name: str) -> tuple[PhraseMatcher, PhraseMatcher, ToneModel | None]:
    """(the one-pass matcher, the lexicon-only reference, its tone model) of a configuration."""
    if name == "default":
        one = Checker.default()
    elif name == "profile":
        one = Checker.from_profile("ecommerce-chat")
    elif name == "allow":  # an overlay's reviewed texts: flagged sentences the tone must drop
        flagged = [t for t in _texts("dev") if TONE.check(t)]
        one = PhraseMatcher(_LEXICONS, tone=TONE.with_allow(flagged[::3]))
    elif name == "overlay":  # the same through a lexicon overlay's tone section and FB900 entry
        flagged = [t for t in _texts("dev") if TONE.check(t)]
        overlay = Path(tempfile.mkdtemp()) / "reviewed.yaml"
        overlay.write_text(yaml.safe_dump({
            "version": 1, "extends": "forbidden", "tone": {"allow": flagged[1::3]},
            "entries": [{"id": TONE.rule, "allow": flagged[2::5]}]}, allow_unicode=True), encoding="utf-8")
        one = PhraseMatcher(load_lexicons([*DEFAULT_LEXICONS, str(overlay)], verify=False))
        assert one.tone is not None and one.tone.allow and one.tone is not TONE
    elif name == "cue-stage":  # no n-gram stage: the gate has no trigger entries
        one = PhraseMatcher(_LEXICONS, tone=load_tone(ngram=False))
    elif name == "custom":  # a custom list without the packaged forbidden lexicon, tone given
        one = Checker([lx for lx in _LEXICONS if lx.kind != "forbidden"], tone=TONE)
    elif name == "forbidden-only":
        one = Checker([lx for lx in _LEXICONS if lx.kind == "forbidden"])
    else:
        raise AssertionError(name)
    assert one.tone is not None and one._gate_tone is one.tone
    return one, PhraseMatcher(one.lexicons, tone=None), one.tone


CONFIGS = ["default", "profile", "allow", "overlay", "cue-stage", "custom", "forbidden-only"]
KINDS = [dict(), dict(polite=False), dict(forbidden=False), dict(cues=True), dict(polite=False, cues=True)]


def _agree(name: str, texts: list[str]) -> None:
    one, ref, tone = _pair(name)
    norms = normalize_many(texts)
    turns = list(range(len(texts)))
    for kind in KINDS:
        assert one.scan_many(norms, turns, **kind) == _two_pass(ref, tone, norms, turns, **kind), kind
    categories = sorted(one.phrase_categories)
    plan = [frozenset(categories[i::len(texts)]) for i in range(len(texts))]
    for forbidden in (True, False):
        assert one.scan_many(norms, turns, forbidden=forbidden, categories=plan) == \
            _two_pass(ref, tone, norms, turns, forbidden=forbidden, categories=plan)
    # The hits themselves: the lexicon's are the lexicon-only matcher's, the gate's its own pass's.
    lexicon, gate = _split_hits(one, norms, one._kind_entries[True, True, True])
    assert lexicon == ref._matcher.find_many(norms)
    assert gate == tone._gated(norms)


@pytest.mark.parametrize("source", ["dev", "tests"])
@pytest.mark.parametrize("name", CONFIGS)
def test_one_pass_is_the_two_passes_on_the_corpora(name: str, source: str) -> None:
    texts = _texts(source)
    assert len(texts) > (2000 if source == "dev" else 300)
    if name not in ("default", "profile"):
        texts = texts[::4]  # the other configurations differ in the tone model, not the texts
    for batch in _batches(texts):
        _agree(name, batch)


def test_check_is_the_two_passes_text_by_text() -> None:
    one, ref, tone = _pair("default")
    found = flagged = 0
    for text in (*_texts("dev"), *_texts("tests")):
        expected = _two_pass(ref, tone, [normalize(text)], [None], polite=False)[0].findings
        assert one.check(text) == expected, text
        found += bool(expected)
        flagged += any(f.rule == tone.rule for f in expected)
    assert found > 1000 and flagged > 100  # the corpora exercise both kinds of finding


_GATE_LITERALS = sorted({p for e in TONE.gate_entries for p in e.phrases}
                        | {a for e in TONE.gate_entries for p in e.patterns for a in p.anchors})
_piece = st.one_of(st.sampled_from(_GATE_LITERALS), st.sampled_from(PIECES),
                   st.sampled_from(list("你您吗呢啊吧？！。，；…“”「」他说 \n")))
generated = st.one_of(st.lists(_piece, max_size=14).map("".join), st.text(max_size=30))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CONFIGS), st.lists(generated, min_size=1, max_size=6))
def test_one_pass_is_the_two_passes_on_generated_text(name: str, texts: list[str]) -> None:
    _agree(name, texts)


def test_a_tone_model_set_later_runs_its_own_gate() -> None:
    one = PhraseMatcher(_LEXICONS)
    ref = PhraseMatcher(_LEXICONS, tone=None)
    other = load_tone(ngram=False)
    one.tone = other  # not the model the automaton's gate entries were built for
    texts = list(_texts("tests")[:300])
    for batch in _batches(texts):
        norms = normalize_many(batch)
        assert one.scan_many(norms, list(range(len(batch)))) == \
            _two_pass(ref, other, norms, list(range(len(batch))))
    one.tone = None  # turned off afterwards: the gate's hits are dropped, never reported
    for batch in _batches(texts):
        norms = normalize_many(batch)
        assert one.scan_many(norms) == _two_pass(ref, None, norms)


def test_no_gate_entries_without_a_tone_model(tmp_path) -> None:
    off = tmp_path / "quiet.yaml"
    off.write_text("version: 1\nextends: forbidden\ntone: {enabled: false}\n", encoding="utf-8")
    for matcher in (PhraseMatcher(_LEXICONS, tone=None), Checker.from_lexicons([], tone=False),
                    PhraseMatcher(load_lexicons(["polite", "cues"], verify=False)),
                    PhraseMatcher(load_lexicons([*DEFAULT_LEXICONS, str(off)], verify=False))):
        assert matcher.tone is None
        assert len(matcher._matcher.entries) == len(matcher.rules())  # one entry per lexicon entry


def test_gate_entries_sit_outside_every_lexicon_allow_list() -> None:
    one, _, tone = _pair("default")
    gate = one._matcher.entries[len(one.rules()):]
    assert len(gate) == len(tone.gate_entries) > 0
    assert {e.group for e in gate} == {len(one.lexicons)}
    assert not any(e.allow or e.group_allow for e in gate)
    # The entries a matcher gets are the model's own, made in its group (not copies of them).
    assert [(e.phrases, e.patterns) for e in gate] == [(e.phrases, e.patterns) for e in tone.gate_entries]
    assert tone.gate_entries_in(len(one.lexicons)) is tone.gate_entries_in(len(one.lexicons))


def test_cue_regexes_compile_on_first_score_and_pickle_either_way() -> None:
    import pickle

    fresh = load_tone()
    assert fresh._cues is None  # nothing compiled by loading
    copy = pickle.loads(pickle.dumps(fresh))
    text = "你自己不会看说明书吗？"
    assert fresh.score(text) == copy.score(text) == TONE.score(text)
    assert fresh._cues is not None and len(fresh._cues) == len(fresh._cue_items)
    assert [c.id for c, _ in fresh._mitigators] == [c.id for c in fresh._mitigator_items]
    assert pickle.loads(pickle.dumps(fresh)).score(text) == fresh.score(text)
