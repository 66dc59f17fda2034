"""The optional spaCy component: entry point, span alignment, doc results, pipe, save/load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import Doc, DocBin  # noqa: E402

from scriptcheck import Checker, ProfileError, Severity  # noqa: E402
from scriptcheck.integrations.spacy import ScriptcheckComponent, ScriptcheckResult  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# 您, not 你: the component applies the whole profile, and 你 is a finding of its own (PL001).
TABOO = "您怎么连这个也不懂"
DISGUISED = [
    pytest.param("您怎麼連這個也不懂", id="traditional"),
    pytest.param("您 怎 么 连 这 个 也 不 懂", id="spaced"),
    pytest.param("您\u200b怎\u200c么\u200d连这个也不懂", id="zero-width"),
    pytest.param("喂，您怎么连这个也不懂啊？", id="embedded"),
]
POLITE = "您好，请问有什么可以帮您？"

# A custom lexicon with one entry whose phrase no packaged lexicon knows.
CUSTOM_LEXICON = """version: 1
name: custom
kind: forbidden
entries:
  - id: XT901
    name: open-sesame
    category: 喝斥
    severity: {severity}
    description: 测试用的自定义忌语
    phrases: [芝麻开门]
    suggestion: 请稍等，我为您查询。
    specs:
      match: [芝麻开门啊, 芝 麻 開 門]
      no_match: [芝麻很好吃, 请开门]
"""


def _profile_for_any_name() -> str:
    """``template`` when the packaged profile exists (it may be added later), else ``base``."""
    try:
        Checker.from_profile("template")
    except ProfileError:
        return "base"
    return "template"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


def _write_lexicon(path: Path, severity: str = "error") -> Path:
    path.write_text(CUSTOM_LEXICON.format(severity=severity), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["char", "jieba"])
def nlp(request):
    """A blank Chinese pipeline (spaCy's character or jieba segmenter) with the component."""
    if request.param == "jieba":
        pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    else:
        pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck")
    return pipeline


@pytest.fixture(scope="module")
def jieba_nlp():
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    pipeline.add_pipe("scriptcheck")
    return pipeline


def labels(doc: Doc, span_key: str = "scriptcheck") -> list[str]:
    """Span labels of ``doc`` (takes the doc, so it stays alive while its spans are read)."""
    return [s.label_ for s in doc.spans[span_key]]


def assert_spans_index_text(doc: Doc, span_key: str = "scriptcheck") -> None:
    """Every span covers its finding, whose offsets index ``doc.text`` exactly."""
    findings = doc._.scriptcheck.findings if doc._.scriptcheck else []
    spans = list(doc.spans[span_key])
    assert len(spans) == len(findings)
    for span in spans:
        start, end = span._.scriptcheck_chars
        finding = span._.scriptcheck_finding
        assert (finding.start, finding.end) == (start, end)
        assert span.label_ == finding.rule
        assert 0 <= start < end <= len(doc.text)
        assert doc.text[start:end] == finding.text
        assert span.start_char <= start and span.end_char >= end
        # "expand" gives the smallest covering run of tokens: dropping an edge token would
        # uncover part of the finding.
        assert span[0].idx + len(span[0].text) > start
        assert span[-1].idx < end


# -- packaging ----------------------------------------------------------------------------------


def test_importing_scriptcheck_does_not_import_spacy() -> None:
    code = "import sys, scriptcheck; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert out.stdout.strip() == "False"


def test_entry_point_registers_the_factory_without_importing_scriptcheck() -> None:
    eps = metadata.entry_points(group="spacy_factories", name="scriptcheck")
    if not list(eps):
        pytest.skip("scriptcheck is not installed (pip install -e .), so its entry point is not visible")
    code = (
        "import json, spacy\n"
        "nlp = spacy.blank('zh')\n"
        "nlp.add_pipe('scriptcheck')\n"
        "doc = nlp('您怎么连这个也不懂')\n"
        "print(json.dumps([[s.label_, list(s._.scriptcheck_chars)] for s in doc.spans['scriptcheck']]"
        " + [doc._.scriptcheck.polite]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [["FB006", [0, 9]], False]


def test_missing_spacy_gives_an_install_hint() -> None:
    code = (
        "import sys\n"
        "sys.modules['spacy'] = None\n"
        "try:\n"
        "    import scriptcheck.integrations.spacy\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "else:\n"
        "    print('imported')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert 'pip install "scriptcheck[spacy]"' in out.stdout
    assert out.stdout.startswith(("ImportError", "ModuleNotFoundError"))


# -- spans and doc results ------------------------------------------------------------------------


@pytest.mark.parametrize("text", DISGUISED)
def test_disguised_taboo_becomes_an_aligned_span(nlp, checker, text: str) -> None:
    doc = nlp(text)
    expected = [f for f in checker.check(text) if f.rule == "FB006"]
    assert len(expected) == 1
    [span] = [s for s in doc.spans["scriptcheck"] if s.label_ == "FB006"]
    assert span.label_ == "FB006"
    assert span._.scriptcheck_chars == (expected[0].start, expected[0].end)
    assert span.start_char <= expected[0].start and span.end_char >= expected[0].end
    finding = span._.scriptcheck_finding
    assert finding == expected[0]
    assert finding.category == "质问" and finding.severity is Severity.error and finding.suggestion
    assert_spans_index_text(doc)
    result = doc._.scriptcheck
    assert isinstance(result, ScriptcheckResult)
    assert result.findings == expected and result.polite is False
    assert result.profile == "base" and result.span_key == "scriptcheck"


def test_finding_inside_a_jieba_word_expands_to_the_whole_word(jieba_nlp) -> None:
    # jieba reads 你好 as one word; the taboo 烦 (FB044, “你好烦啊”) starts inside it.
    doc = jieba_nlp("你好烦啊")
    [span] = [s for s in doc.spans["scriptcheck"] if s.label_ == "FB044"]
    start, end = span._.scriptcheck_chars
    assert start > span.start_char  # the span starts before the finding …
    assert span.start_char <= start and span.end_char >= end  # … and covers it
    assert doc.text[start:end] == span._.scriptcheck_finding.text
    assert_spans_index_text(doc)


def test_polite_text_has_no_spans_and_is_polite(nlp) -> None:
    doc = nlp(POLITE)
    assert list(doc.spans["scriptcheck"]) == []
    result = doc._.scriptcheck
    assert result.polite is True and result.findings == []
    assert {p.category for p in result.phrases} >= {"greeting"}
    assert all(POLITE[p.start:p.end] == p.text for p in result.phrases)


def test_info_findings_do_not_make_a_text_impolite(tmp_path) -> None:
    lexicon = _write_lexicon(tmp_path / "custom.yaml", severity="info")
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", config={"lexicons": [str(lexicon)]})
    doc = pipeline("芝麻开门")
    assert labels(doc) == ["XT901"]
    assert doc._.scriptcheck.polite is True


def test_empty_text(nlp) -> None:
    doc = nlp("")
    assert list(doc.spans["scriptcheck"]) == [] and doc._.scriptcheck.polite is True


def test_other_spans_have_no_finding(nlp) -> None:
    doc = nlp(TABOO)
    assert doc[0:2]._.scriptcheck_finding is None and doc[0:2]._.scriptcheck_chars is None
    assert spacy.blank("zh")("你好")._.scriptcheck is None  # no component ran


def test_pipe_over_many_texts(nlp, checker) -> None:
    texts = [TABOO, POLITE, "这是规定，我也没办法", "", "您 怎 麼 連 這 個 也 不 懂", "好的"] * 5
    docs = list(nlp.pipe(texts, batch_size=4))
    assert [d.text for d in docs] == texts
    for doc, text in zip(docs, texts):
        assert doc._.scriptcheck.findings == checker.check(text)
        assert_spans_index_text(doc)


def test_docs_with_results_still_serialise(nlp) -> None:
    # The per-doc data is plain msgpack-able data, so Doc.to_bytes / DocBin keep working.
    doc = nlp("你好烦啊，这是规定我也没办法")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert again._.scriptcheck == doc._.scriptcheck
    assert [s._.scriptcheck_chars for s in again.spans["scriptcheck"]] == \
        [s._.scriptcheck_chars for s in doc.spans["scriptcheck"]]
    [restored] = DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab)
    assert restored._.scriptcheck.findings == doc._.scriptcheck.findings


def test_two_components_keep_separate_results() -> None:
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", name="first", config={"span_key": "a"})
    pipeline.add_pipe("scriptcheck", name="second", config={"profile": "hotline", "span_key": "b"})
    doc = pipeline(TABOO)
    assert set(doc._.scriptcheck_results) == {"a", "b"}
    assert doc._.scriptcheck.span_key == "b"  # the last component's result
    assert [s._.scriptcheck_finding.rule for s in doc.spans["a"]] == ["FB006"]
    assert [s._.scriptcheck_finding.rule for s in doc.spans["b"]] == ["FB006"]


def test_any_profile_name_is_accepted() -> None:
    profile = _profile_for_any_name()
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", config={"profile": profile})
    assert pipeline(POLITE)._.scriptcheck.profile == profile


def test_unknown_profile_fails_at_initialize() -> None:
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", config={"profile": "no-such-profile"})
    with pytest.raises(ProfileError, match="no-such-profile"):
        pipeline.initialize()


# -- save / load ---------------------------------------------------------------------------------


def test_save_and_load_carry_the_custom_lexicon(tmp_path) -> None:
    lexicon = _write_lexicon(tmp_path / "custom.yaml")
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    pipeline.add_pipe("scriptcheck", config={"lexicons": [str(lexicon)], "span_key": "qa"})
    assert labels(pipeline("好的，芝麻开门"), "qa") == ["XT901"]

    saved = tmp_path / "pipeline"
    pipeline.to_disk(saved)
    lexicon.unlink()  # the saved pipeline must not need the original file

    loaded = spacy.load(saved)
    component = loaded.get_pipe("scriptcheck")
    assert isinstance(component, ScriptcheckComponent)
    assert component.span_key == "qa" and component.profile == "base"
    assert all(Path(p).is_relative_to(saved) for p in component.lexicons)
    doc = loaded("好的，芝 麻 開 門")
    assert labels(doc, "qa") == ["XT901"]
    assert labels(loaded(TABOO), "qa") == ["FB006"]  # the profile still applies
    assert_spans_index_text(doc, "qa")

    # Saving the loaded pipeline again (also over itself) keeps the lexicon.
    loaded.to_disk(saved)
    again = tmp_path / "again"
    loaded.to_disk(again)
    for path in (saved, again):
        assert labels(spacy.load(path)("芝麻开门"), "qa") == ["XT901"]


def test_lexicons_with_the_same_file_name_are_both_saved(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _write_lexicon(tmp_path / "a" / "custom.yaml")
    second = tmp_path / "b" / "custom.yaml"
    second.write_text(
        CUSTOM_LEXICON.format(severity="error")
        .replace("name: custom", "name: custom2").replace("XT901", "XT902")
        .replace("芝麻开门", "芋头开门").replace("芝 麻 開 門", "芋 頭 開 門").replace("芝麻很好吃", "芋头很好吃"),
        encoding="utf-8",
    )
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", config={"lexicons": [str(first), str(second)]})
    pipeline.to_disk(tmp_path / "saved")
    first.unlink()
    second.unlink()
    loaded = spacy.load(tmp_path / "saved")
    assert sorted(labels(loaded("芝麻开门，芋头开门"))) == ["XT901", "XT902"]


# -- real chats ----------------------------------------------------------------------------------


def test_pipe_over_real_jddc_agent_turns(jieba_nlp, checker, jddc_dialogues) -> None:
    turns = [t["text"] for d in jddc_dialogues for t in d["turns"] if t["speaker"] == "agent"][:300]
    assert len(turns) == 300
    lexicon_rules = {entry.id for _, entry in checker.rules()}
    per_turn = {"PL001", "PL002", "PV001", "PV002", "PV003"}
    for doc, text in zip(jieba_nlp.pipe(turns, batch_size=64), turns):
        assert doc.text == text
        findings = doc._.scriptcheck.findings
        assert [f for f in findings if f.rule in lexicon_rules] == checker.check(text)
        assert {f.rule for f in findings if f.rule not in lexicon_rules} <= per_turn
        assert_spans_index_text(doc)


# -- the profile's per-turn rules -----------------------------------------------------------


def test_profile_applies_its_per_turn_rules_not_only_its_lexicons() -> None:
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    pipeline.add_pipe("scriptcheck", config={"profile": "hotline"})
    doc = pipeline("你的手机号是多少")
    [span] = [s for s in doc.spans["scriptcheck"] if s.label_ == "PL001"]
    assert span._.scriptcheck_chars == (0, 1) and span._.scriptcheck_finding.category == "honorific"
    # Missing steps (no greeting in a one-line doc) have no place in the text: not spans.
    assert all(f.start is not None for f in doc._.scriptcheck.findings)
    assert_spans_index_text(doc)


def test_template_profile_brings_its_hygiene_rules() -> None:
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", config={"profile": "template"})
    doc = pipeline("您好{name，您的订单已发货")
    assert "TP101" in labels(doc)


def test_to_bytes_and_from_bytes_carry_the_custom_lexicon(tmp_path) -> None:
    lexicon = _write_lexicon(tmp_path / "custom.yaml")
    pipeline = spacy.blank("zh")
    pipeline.add_pipe("scriptcheck", config={"lexicons": [str(lexicon)]})
    data = pipeline.to_bytes()
    lexicon.unlink()  # the bytes must carry the lexicon itself, not its path
    restored = spacy.blank("zh")
    restored.add_pipe("scriptcheck", config={"lexicons": [str(lexicon)]})
    restored.from_bytes(data)
    assert labels(restored("芝麻开门")) == ["XT901"]
