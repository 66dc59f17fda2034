"""benchmarks/data/published_lists.yaml and the section of benchmarks/taboo_recall.py that reads it."""

import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import taboo_recall  # noqa: E402

DATA = REPO / "benchmarks" / "data" / "published_lists.yaml"
# Industry scopes with a pack (bank, telecom, hospital, government, ecommerce) and without one (the rest: measured on
# the default lexicons, reported as "(no pack)").
SCOPES = {"general", "bank", "telecom", "hospital", "government", "ecommerce", "utility", "hotel", "property", "school",
          "transport"}


def test_every_item_names_its_page_scope_and_a_declared_collection():
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    names = [c["name"] for c in data["collections"]]
    assert len(names) == len(set(names))
    assert any(c.get("held_out") for c in data["collections"])
    for kind in ("rude", "polite"):
        assert data[kind], kind
        for item in data[kind]:
            assert isinstance(item["text"], str) and item["text"].strip(), item
            assert item["scope"] in SCOPES, item
            assert item["collection"] in names, item
            assert item["source"].strip(), item


def test_section_counts_by_collection_and_scope_and_lists_misses(tmp_path, capsys):
    path = tmp_path / "lists.yaml"
    path.write_text(yaml.safe_dump({
        "collections": [{"name": "x", "held_out": True}, {"name": "y"}],
        "rude": [{"text": "你怎么连这个也不懂", "scope": "general", "collection": "x", "source": "p1"},
                 {"text": "今天天气不错", "scope": "general", "collection": "x", "source": "p1"},
                 {"text": "这是规定，我有什么办法", "scope": "bank", "collection": "y", "source": "p2"}],
        "polite": [{"text": "您好，请问有什么可以帮您？", "scope": "general", "collection": "y", "source": "p2"}],
    }, allow_unicode=True), encoding="utf-8")
    checker = taboo_recall._checker([])
    taboo_recall._gathered_lists(taboo_recall._Scoped(checker, []), path)
    out = capsys.readouterr().out
    assert "x (held out when first measured; see its note): general 1/2 = 50.0%" in out
    assert "y: general 0/0; bank 1/1 = 100.0%" in out
    assert "all collections: general 1/2 = 50.0%" in out
    assert "MISSED [x general] 今天天气不错  (p1)" in out
    assert "recommended phrases flagged 0/1" in out


def test_missing_file_is_reported_not_raised(tmp_path, capsys):
    taboo_recall._gathered_lists(taboo_recall._Scoped(taboo_recall._checker([]), []), tmp_path / "absent.yaml")
    assert "not found; skipped" in capsys.readouterr().out
