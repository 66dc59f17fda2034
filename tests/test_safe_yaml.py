"""One safe YAML loader: duplicate keys, alias bombs and oversized files are refused with
file:line, ordinary anchors still work (issue 13, item 4)."""

from __future__ import annotations

import pytest

from scriptcheck.errors import InputError, LexiconError
from scriptcheck.safe_yaml import compose_yaml, load_yaml
from tests.hostile import run_cli

BOMB = "\n".join(
    ['a: &a ["您好","您好","您好","您好","您好","您好","您好","您好","您好"]']
    + [f'{b}: &{b} [{",".join(["*" + a] * 9)}]' for a, b in zip("abcdefgh", "bcdefghi")]) + "\n"


def test_plain_data_and_anchors() -> None:
    data = load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: [1, 2]\n", source="f.yaml")
    assert data == {"base": {"x": 1}, "other": {"x": 1, "y": [1, 2]}}
    assert load_yaml(b"\xef\xbb\xbfa: 1\n", source="f.yaml") == {"a": 1}
    assert load_yaml("", source="f.yaml") is None


def test_duplicate_key_names_file_and_line() -> None:
    with pytest.raises(LexiconError, match=r"^f\.yaml:3:1: invalid YAML: duplicate key 'a' \(first at line 1\)"):
        load_yaml("a: 1\nb: 2\na: 3\n", source="f.yaml", error=LexiconError)


def test_alias_bomb_refused_without_expanding() -> None:
    with pytest.raises(InputError, match="aliases expand to more than") as info:
        load_yaml(BOMB, source="bomb.yaml")
    assert info.value.file == "bomb.yaml" and info.value.line is not None
    with pytest.raises(InputError, match="alias bomb"):
        compose_yaml(BOMB, source="bomb.yaml", max_nodes=10_000)


def test_recursive_alias_refused() -> None:
    with pytest.raises(InputError, match="recursive alias|found undefined alias"):
        load_yaml("a: &a [*a]\n", source="r.yaml")


def test_size_limit_in_bytes() -> None:
    with pytest.raises(InputError, match=r"file too large \(\d+ bytes; the limit is 100\)"):
        load_yaml("a: " + "您" * 50 + "\n", source="big.yaml", max_bytes=100)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(InputError, match="invalid YAML"):
        load_yaml("[" * 100_000 + "]" * 100_000, source="deep.yaml")


def test_lint_alias_bomb_fails_fast(tmp_path) -> None:
    bomb = tmp_path / "replies.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    result = run_cli("lint", "--isolated", str(bomb), timeout=60)
    assert result.returncode == 2, result.stderr.decode()
    assert "alias bomb" in result.stderr.decode() and "Traceback" not in result.stderr.decode()
