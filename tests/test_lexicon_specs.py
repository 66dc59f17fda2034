"""Every entry of every packaged lexicon keeps its own specs (one test per rule code)."""

from __future__ import annotations

import pytest

from scriptcheck.lexicon import default_lexicon_names, load_lexicon, run_specs

LEXICONS = {name: load_lexicon(name, verify=False) for name in default_lexicon_names()}
CASES = [(name, entry.id) for name, lex in LEXICONS.items() for entry in lex.entries]
RESULTS = {name: run_specs(lex) for name, lex in LEXICONS.items()}


@pytest.mark.parametrize(("lexicon", "rule"), CASES, ids=[c[1] for c in CASES])
def test_entry_specs(lexicon: str, rule: str) -> None:
    results = [r for r in RESULTS[lexicon] if r.rule == rule]
    assert results, f"{rule} has no specs"
    failures = [f"expected {r.expect}: {r.text!r}" for r in results if not r.ok]
    assert not failures, f"{rule}: " + "; ".join(failures)


def test_forbidden_lexicon_covers_the_standards() -> None:
    lex = LEXICONS["forbidden"]
    assert len(lex.entries) >= 40
    categories = {e.category for e in lex.entries}
    assert {"喝斥", "反问", "质问", "歧视", "推卸责任"} <= categories
    for entry in lex.entries:
        assert len(entry.specs.match) >= 2 and len(entry.specs.no_match) >= 2, entry.id
        assert entry.suggestion.strip(), f"{entry.id} has no polite alternative"
        assert entry.source.strip(), f"{entry.id} is not traceable to a source"
    # The seven 服务忌语 of 004 §五 are FB001–FB007, each cited.
    for n in range(1, 8):
        entry = next(e for e in lex.entries if e.id == f"FB00{n}")
        assert "§五" in entry.source, entry.id


def test_polite_lexicon_has_the_step_categories() -> None:
    categories = {e.category for e in LEXICONS["polite"].entries}
    assert {"greeting", "offer-help", "waiting", "thanks-for-waiting", "apology", "thanks",
            "ask-anything-else", "farewell", "self-intro", "re-ask"} <= categories


def test_loading_runs_the_specs() -> None:
    # load_lexicon(verify=True) is what Checker uses; it must accept the packaged files.
    for name in LEXICONS:
        load_lexicon(name, verify=True)
