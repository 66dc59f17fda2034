"""Lexicon overlays (``lexicon/overlay.py``): allow contexts and specs added to the entries of
another lexicon, loaded alone or among other lexicons, checked like any lexicon."""

from __future__ import annotations

import pytest

from scriptcheck import Checker
from scriptcheck.errors import LexiconError, SpecFailure
from scriptcheck.lexicon.loader import load_lexicon, load_lexicons

FALSE_ALARM = "你怎么连这个也不懂的地方都问得这么清楚"


def _write(tmp_path, text, name="overlay.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


OVERLAY = f"""version: 1
extends: forbidden
entries:
  - id: FB006
    allow: [{FALSE_ALARM}]
    specs:
      match: [你怎么连这都不懂啊]
      no_match: [{FALSE_ALARM}]
"""


def test_overlay_adds_allow_and_specs_to_its_base(tmp_path):
    base = load_lexicon("forbidden")
    merged = load_lexicon(_write(tmp_path, OVERLAY))
    assert merged.name == "forbidden" and len(merged.entries) == len(base.entries)
    entry = next(e for e in merged.entries if e.id == "FB006")
    original = next(e for e in base.entries if e.id == "FB006")
    assert entry.allow == [*original.allow, FALSE_ALARM]
    assert entry.specs.match[: len(original.specs.match)] == original.specs.match
    assert FALSE_ALARM in entry.specs.no_match
    # Nothing else changed.
    assert [e for e in merged.entries if e.id != "FB006"] == [e for e in base.entries if e.id != "FB006"]


def test_overlay_replaces_its_base_among_lexicons(tmp_path):
    path = _write(tmp_path, OVERLAY)
    lexicons = load_lexicons(["forbidden", "polite", path])
    assert [lex.name for lex in lexicons] == ["forbidden", "polite"]
    checker = Checker.from_lexicons([path])
    assert "FB006" not in {f.rule for f in checker.check(FALSE_ALARM)}
    assert [f.rule for f in checker.check("你怎么连这个也不懂")] == ["FB006"]
    assert "FB006" in [f.rule for f in Checker.default().check(FALSE_ALARM)]


def test_two_overlays_on_one_base_both_apply(tmp_path):
    second = _write(tmp_path, "version: 1\nextends: forbidden\nentries:\n  - id: FB006\n"
                              "    allow: [你怎么连这个也不懂的也没关系]\n", "second.yaml")
    checker = Checker.from_lexicons([_write(tmp_path, OVERLAY), second])
    assert "FB006" not in {f.rule for f in checker.check(FALSE_ALARM) + checker.check("你怎么连这个也不懂的也没关系")}


def test_unknown_entry_is_an_error(tmp_path):
    with pytest.raises(LexiconError, match="FB999 is not an entry of lexicon 'forbidden'"):
        load_lexicon(_write(tmp_path, "version: 1\nextends: forbidden\nentries:\n  - id: FB999\n    allow: [x]\n"))


def test_unknown_key_is_an_error(tmp_path):
    with pytest.raises(LexiconError, match="phrases"):
        load_lexicon(_write(tmp_path, "version: 1\nextends: forbidden\nentries:\n  - id: FB006\n    phrases: [x]\n"))


def test_failing_spec_fails_the_load(tmp_path):
    # A no_match spec the allow context does not cover: the overlay cannot pass its own test.
    bad = "version: 1\nextends: forbidden\nentries:\n  - id: FB006\n    specs: {no_match: [你怎么连这个也不懂]}\n"
    with pytest.raises(SpecFailure, match="FB006"):
        load_lexicon(_write(tmp_path, bad))


def test_base_named_by_path_relative_to_the_overlay(tmp_path):
    base = _write(tmp_path, """version: 1
name: mine
kind: forbidden
entries:
  - id: FB901
    name: go-away
    category: 喝斥
    description: 让客户走开
    phrases: [你走开]
""", "mine.yaml")
    overlay = _write(tmp_path, "version: 1\nextends: ./mine.yaml\nentries:\n  - id: FB901\n"
                               "    allow: [你走开一点就能看到了]\n    specs: {no_match: [你走开一点就能看到了]}\n")
    checker = Checker.from_lexicons([base, overlay], defaults=False)
    assert not checker.check("你走开一点就能看到了")
    assert [f.rule for f in checker.check("你走开")] == ["FB901"]


def test_verified_overlay_is_remembered_and_an_edited_one_is_not(tmp_path, monkeypatch):
    from scriptcheck.lexicon import loader

    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    runs = []
    real = loader.run_specs
    monkeypatch.setattr(loader, "run_specs", lambda lexicon: runs.append(lexicon.name) or real(lexicon))
    path = _write(tmp_path, OVERLAY)
    load_lexicons(["forbidden", path])
    load_lexicons(["forbidden", path])
    assert runs.count("forbidden") == 2  # the base once, the merged lexicon once; nothing the second time
    path.write_text(OVERLAY.replace("你怎么连这都不懂啊", "你怎么连这个也不懂"), encoding="utf-8")
    load_lexicons(["forbidden", path])
    assert runs.count("forbidden") == 3
