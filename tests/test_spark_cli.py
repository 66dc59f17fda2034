"""`score --engine spark` gives, id for id, the reports and the summary counts of the local
engine; Parquet in and out of the local engine round-trips to the same reports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("pyspark")
pq = pytest.importorskip("pyarrow.parquet")

from scriptcheck.tables import row_to_report  # noqa: E402

from .conftest import CORPORA  # noqa: E402


def _score(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scriptcheck", "score", *args],
                          capture_output=True, text=True, timeout=600)


def _summary(stderr: str) -> str:
    """The summary block (counts, pass rate, top rules, agents)."""
    lines = stderr.splitlines()
    return "\n".join(lines[lines.index("Summary"):])


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The bundled JSONL calls plus broken records (bad JSON, unknown speaker, no turns)."""
    folder = tmp_path_factory.mktemp("mixed")
    lines = (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    lines += ['{"id": "broken", "turns": [', '{"id": "robot", "turns": [{"speaker": "robot", "text": "您好"}]}',
              '{"id": "empty", "turns": []}']
    path = folder / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_spark_engine_gives_the_local_reports_and_counts(mixed, tmp_path) -> None:
    local = _score("--jobs", "1", str(mixed), "--format", "jsonl", "-o", str(tmp_path / "local.jsonl"))
    spark = _score("--engine", "spark", "--master", "local[2]", str(mixed), "--format", "jsonl",
                   "-o", str(tmp_path / "spark.jsonl"))
    assert local.returncode == spark.returncode, spark.stderr
    assert _summary(spark.stderr) == _summary(local.stderr)
    assert "read 15 = scored 12 + rejected 3" in _summary(local.stderr)
    by_id = lambda path: {json.loads(line)["id"]: line for line in path.read_text(encoding="utf-8").splitlines()}
    assert by_id(tmp_path / "spark.jsonl") == by_id(tmp_path / "local.jsonl")


def test_parquet_round_trip_gives_the_same_reports(tmp_path) -> None:
    import pyarrow as pa

    transcripts = [json.loads(line) for line in (CORPORA / "calls.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [{"id": t["id"], "profile": t.get("profile"), "agent_id": t.get("agent_id"),
             "turns": [{"speaker": x["speaker"], "text": x["text"], "start": x.get("start"), "end": x.get("end")}
                       for x in t["turns"]]} for t in transcripts]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "calls.parquet")
    jsonl = tmp_path / "calls.jsonl"
    jsonl.write_text("\n".join(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False)
                               for r in rows) + "\n", encoding="utf-8")
    from_parquet = _score(str(tmp_path / "calls.parquet"), "--format", "jsonl", "-o", str(tmp_path / "a.jsonl"))
    from_jsonl = _score(str(jsonl), "--format", "parquet", "-o", str(tmp_path / "b.parquet"))
    assert from_parquet.returncode == from_jsonl.returncode, from_parquet.stderr + from_jsonl.stderr
    expected = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    table = pq.read_table(tmp_path / "b.parquet").to_pylist()
    assert len(table) == len(expected) == len(rows)
    for report, row in zip(expected, table):
        assert row["error"] is None
        meta = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for k, v in report["metadata"].items()}
        assert row_to_report(row) == {**report, "metadata": meta}


def test_utterance_rows_in_parquet_are_grouped_into_conversations(tmp_path) -> None:
    import pyarrow as pa

    rows = [{"conversation_id": "c2", "seq": 1, "speaker": "customer", "text": "好的"},
            {"conversation_id": "c1", "seq": 0, "speaker": "agent", "text": "您好，请问有什么可以帮您？"},
            {"conversation_id": "c2", "seq": 0, "speaker": "agent", "text": "您好"},
            {"conversation_id": "c1", "seq": 1, "speaker": "customer", "text": "查快递"}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "utt.parquet")
    out = _score(str(tmp_path / "utt.parquet"), "--format", "jsonl")
    assert out.returncode in (0, 1), out.stderr
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == ["c1", "c2"]
    assert "read 2 = scored 2 + rejected 0" in _summary(out.stderr)


def test_parquet_output_needs_a_file() -> None:
    out = _score(str(CORPORA / "calls.jsonl"), "--format", "parquet")
    assert out.returncode == 2 and "-o FILE" in out.stderr
