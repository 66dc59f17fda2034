"""benchmarks/fit_ngram.py and fit_turn.py --sources-of: a refit on exactly the sources a model
file was fitted on (its ``trained_on:`` line), so a refit can use a shipped file's data after new
training sets are added to benchmarks/data."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import fit_ngram  # noqa: E402


def _model(tmp_path, line: str) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(f"# a header\nversion: 1\n{line}\nweights: {{a: 1.0}}\n", encoding="utf-8")
    return path


def _items(*sources: str) -> list:
    return [fit_ngram.Item(source, 1, "你好") for source in sources]


def test_only_the_model_s_sources_are_kept(tmp_path) -> None:
    model = _model(tmp_path, 'trained_on: ["t1", "jddc"]')
    kept = fit_ngram.only_sources(_items("t1", "t2", "jddc", "t1"), str(model))
    assert [item.source for item in kept] == ["t1", "jddc", "t1"]


def test_without_a_model_every_item_is_kept() -> None:
    items = _items("t1", "t2")
    assert fit_ngram.only_sources(items, None) == items


def test_a_source_the_model_names_but_the_data_lacks_is_an_error(tmp_path) -> None:
    model = _model(tmp_path, "trained_on: [t1, jddc]")
    with pytest.raises(SystemExit, match="not here: jddc"):
        fit_ngram.only_sources(_items("t1", "t2"), str(model))


def test_a_file_without_trained_on_is_an_error(tmp_path) -> None:
    with pytest.raises(SystemExit, match="no trained_on"):
        fit_ngram.sources_of(_model(tmp_path, "source: x"))


@pytest.mark.parametrize("name", ["tone_ngram.yaml", "tone_turn.yaml"])
def test_the_shipped_files_name_their_sources(name: str) -> None:
    sources = fit_ngram.sources_of(ROOT / "lexicons" / "models" / name)
    assert {"dev", "jddc", "t1"} <= sources and "t124" not in sources  # t124 stays out of the fits
