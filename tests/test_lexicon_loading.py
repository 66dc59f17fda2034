"""Bad lexicon files fail at load with the file, the entry and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scriptcheck import Checker, LexiconError, SpecFailure, load_lexicon
from scriptcheck.resources import defaults_dir
from scriptcheck.schemas import schema_json

GOOD_ENTRY = """
  - id: FB901
    name: test-entry
    category: 喝斥
    description: test
    phrases: [爱买不买]
    specs:
      match: [爱买不买啊, 愛買不買]
      no_match: [欢迎选购, 买不买都可以问]
"""


def write(tmp_path: Path, body: str, header: str = "version: 1\nname: custom\nkind: forbidden\nentries:\n") -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_a_good_user_lexicon_loads_and_is_used(tmp_path) -> None:
    path = write(tmp_path, GOOD_ENTRY)
    checker = Checker.from_lexicons([path], defaults=False)
    assert [f.rule for f in checker.check("爱 买 不 买")] == ["FB901"]


def test_unknown_key_names_file_entry_and_field(tmp_path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace("    category: 喝斥", "    category: 喝斥\n    severty: error"))
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    message = str(err.value)
    assert str(path) in message and "FB901" in message and "severty" in message


def test_bad_severity_is_explained(tmp_path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace("    category: 喝斥", "    category: 喝斥\n    severity: fatal"))
    with pytest.raises(LexiconError, match=r"FB901.*severity"):
        load_lexicon(path)


def test_bad_rule_code(tmp_path) -> None:
    with pytest.raises(LexiconError, match="rule code"):
        load_lexicon(write(tmp_path, GOOD_ENTRY.replace("FB901", "F901")))


@pytest.mark.parametrize(("pattern", "reason"), [
    ("你.*不懂", "unbounded"),
    ("您好", "never occurs"),
    ("问问", "collapse"),
    ("noob", "collapse"),
    ("(", "not a valid regex"),
    (".{1,3}", "no mandatory literal"),
])
def test_pattern_problems_are_caught_at_load(tmp_path, pattern: str, reason: str) -> None:
    body = GOOD_ENTRY.replace("    phrases: [爱买不买]", f"    phrases: [爱买不买]\n    patterns: ['{pattern}']")
    with pytest.raises(LexiconError, match=reason) as err:
        load_lexicon(write(tmp_path, body))
    assert "FB901" in str(err.value)


def test_failing_spec_fails_the_load(tmp_path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace("no_match: [欢迎选购", "no_match: [爱买不买"))
    with pytest.raises(SpecFailure, match="FB901.*no_match"):
        load_lexicon(path)
    load_lexicon(path, verify=False)  # and can still be inspected


def test_invalid_yaml_gives_line(tmp_path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nentries: [\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"broken.yaml:\d+:\d+: invalid YAML"):
        load_lexicon(path)


def test_duplicate_yaml_keys_are_an_error(tmp_path) -> None:
    body = GOOD_ENTRY.replace("    phrases: [爱买不买]", "    phrases: [爱买不买]\n    phrases: [爱要不要]")
    with pytest.raises(LexiconError, match=r"custom.yaml:\d+:\d+: invalid YAML: duplicate key 'phrases'"):
        load_lexicon(write(tmp_path, body))


def test_duplicate_codes_across_lexicons_are_rejected(tmp_path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace("FB901", "FB001"))
    with pytest.raises(LexiconError, match="FB001 is defined twice"):
        Checker.from_lexicons([path])


def test_allow_list_drops_a_hit_inside_an_allowed_phrase(tmp_path) -> None:
    body = """
  - id: FB902
    name: dont-know
    category: 推卸责任
    description: test
    phrases: [不知道]
    allow: [不知道您是否方便]
    specs:
      match: [这个我不知道, 不知道]
      no_match: [不知道您是否方便, 不知道您现在是否方便]
"""
    with pytest.raises(SpecFailure):  # 不知道您现在是否方便 is not inside the allowed phrase
        load_lexicon(write(tmp_path, body))
    lex = load_lexicon(write(tmp_path, body.replace("不知道您现在是否方便", "您方便吗")))
    checker = Checker([lex])
    assert checker.check("不知道您是否方便") == []
    assert [f.text for f in checker.check("不知道您是否方便？我也不知道")] == ["不知道"]


@pytest.mark.parametrize("kind", ["lexicon", "profile", "report"])
def test_shipped_json_schema_is_generated_from_the_models(kind: str) -> None:
    shipped = (defaults_dir() / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_json(kind), "regenerate with: scriptcheck schema " + kind


def test_packaged_lexicons_validate_against_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(schema_json("lexicon"))
    for path in sorted(defaults_dir().glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
