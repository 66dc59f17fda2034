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


def _data(folder: Path) -> Path:
    """A benchmarks/data of one line per kind: the development set, the rounds, a writer, and
    two writers of chatbot small talk."""
    folder.mkdir()
    (folder / "taboo_dev.yaml").write_text(
        "rude: [{text: 你自己看}]\npolite: [{text: 您好}]\nheldout: [{text: 烦不烦, round: 1}]\n"
        "polite_heldout: [{text: 好的, round: 1}]\n", encoding="utf-8")
    (folder / "tone_rounds.yaml").write_text("heldout: [{text: 别问了}]\npolite_heldout: [{text: 请稍等}]\n",
                                             encoding="utf-8")
    (folder / "train_t1.yaml").write_text("rude: [{text: 你自己查}]\npolite: [{text: 我帮您查}]\n", encoding="utf-8")
    for writer in ("w1", "w2"):
        (folder / f"chitchat_{writer}.yaml").write_text("polite: [{text: 早上好呀}, {text: 你呢？}]\n",
                                                        encoding="utf-8")
    (folder / "banter_w1.yaml").write_text("polite: [{text: 又来啦，老样子？}]\n", encoding="utf-8")
    return folder


def test_small_talk_is_a_negatives_only_loss_group_of_its_own(tmp_path, monkeypatch, capsys) -> None:
    # the chatbot small talk of benchmarks/data/chitchat_*.yaml (refit U): negatives, one source
    # per writer, in their own loss group, spread over the folds; a missing JDDC corpus is said
    monkeypatch.setattr(fit_ngram, "DATA", _data(tmp_path / "data"))
    items = fit_ngram.load_items(tmp_path / "no-corpus.jsonl", set())
    chat = [item for item in items if item.source.startswith("chitchat-")]
    assert [item.source for item in chat] == ["chitchat-w1"] * 2 + ["chitchat-w2"] * 2
    assert all(item.label == 0 and isinstance(item.fold, int) for item in chat)
    assert {fit_ngram._negative_group(s) for s in ("chitchat-w1", "jddc", "jddc-customer", "t1")} == \
        {"chitchat", "jddc", "jddc-customer", None}
    assert "no JDDC corpus" in capsys.readouterr().err
    kept = fit_ngram.load_items(tmp_path / "no-corpus.jsonl", {"chitchat-w1", "chitchat-w2", "banter-w1"})
    assert {item.source for item in kept} == {"dev", "rounds-a", "tone-r1", "t1"}


def test_agent_banter_is_a_negatives_only_loss_group_of_its_own(tmp_path, monkeypatch) -> None:
    # benchmarks/data/banter_*.yaml: a friendly agent's teasing and frank advice, negatives in a
    # loss group of their own (--banter-share), weighted in fit_turn.py as the small talk is
    monkeypatch.setattr(fit_ngram, "DATA", _data(tmp_path / "data"))
    items = fit_ngram.load_items(tmp_path / "no-corpus.jsonl", set())
    banter = [item for item in items if fit_ngram._negative_group(item.source) == "banter"]
    assert [(item.source, item.label, item.text) for item in banter] == [("banter-w1", 0, "又来啦，老样子？")]
    assert fit_ngram._negative_group("t1") is None and fit_ngram._negative_group("tone-r1") is None


def test_the_packaged_small_talk_is_2388_lines_by_four_writers() -> None:
    import yaml
    files = sorted((ROOT / "benchmarks" / "data").glob("chitchat_*.yaml"))
    assert [f.stem for f in files] == ["chitchat_w1", "chitchat_w2", "chitchat_w3", "chitchat_w4"]
    # w3 and w4 without the six lines each that occur word for word among lint_real's templates
    assert [len(yaml.safe_load(f.read_text(encoding="utf-8"))["polite"]) for f in files] == [600, 600, 594, 594]


@pytest.mark.parametrize("name", ["tone_ngram.yaml", "tone_turn.yaml"])
def test_the_shipped_files_were_fitted_with_small_talk_banter_and_every_writer_up_to_t537(name: str) -> None:
    sources = fit_ngram.sources_of(ROOT / "lexicons" / "models" / name)
    assert {f"chitchat-w{n}" for n in range(1, 5)} | {f"banter-w{n}" for n in range(1, 5)} <= sources  # refit AM
    writers = {path.stem[6:] for path in (ROOT / "benchmarks" / "data").glob("train_t*.yaml")}
    assert {w for w in writers if int(w[1:]) <= 537} - {"t124", "t126"} <= sources
    # the six sets AM's threshold was chosen on, and the rounds it was decided on once copied in
    assert not sources & {f"t{n}" for n in range(538, 562)}
