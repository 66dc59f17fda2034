"""Scoring on Spark (local[2]) gives, id for id, the reports of the local engine; a record that
cannot be scored comes back as an error row with its reason, never dropped."""

from __future__ import annotations

import json
import random

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

from scriptcheck.batch import Scorer  # noqa: E402
from scriptcheck.io.transcripts import iter_input_files, read_transcripts  # noqa: E402
from scriptcheck.models import Transcript  # noqa: E402
from scriptcheck.tables import report_row, row_to_report  # noqa: E402

from .conftest import CORPORA, ROOT  # noqa: E402

TURN = "struct<speaker:string,text:string,start:double,end:double>"


@pytest.fixture(scope="module")
def spark():
    from scriptcheck.integrations.spark import spark_session

    session = spark_session("local[2]", app="scriptcheck-tests")
    yield session
    session.stop()


def _bundled() -> list[Transcript]:
    out = []
    for path in iter_input_files([str(CORPORA)]):
        out += [r.transcript for r in read_transcripts(path) if r.transcript is not None]
    assert len(out) >= 20
    return out


def _stringified(t: Transcript) -> Transcript:
    """The transcript as a table holds it: metadata values as strings (tables.py)."""
    meta = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in t.metadata.items()}
    return t.model_copy(update={"metadata": meta})


def _rows(transcripts: list[Transcript], keys: list[str]) -> list[dict]:
    rows = []
    for t in transcripts:
        row = {"id": t.id, "turns": [{"speaker": x.speaker, "text": x.text, "start": x.start, "end": x.end}
                                     for x in t.turns]}
        row.update({k: t.metadata.get(k) for k in keys})
        rows.append(row)
    return rows


def _local(transcripts: list[Transcript]) -> dict[str, dict]:
    scorer = Scorer(None, "hotline")
    return {t.id: row_to_report(report_row(scorer.score(t).model_dump(mode="json"))) for t in transcripts}


def _schema(keys: list[str]) -> str:
    return ", ".join([f"id string, turns array<{TURN}>"] + [f"`{k}` string" for k in keys])


def test_dataframe_reports_equal_the_local_engine_for_every_id(spark) -> None:
    from scriptcheck.integrations.spark import SPARK_REPORT_SCHEMA, score_dataframe

    transcripts = [_stringified(t) for t in _bundled()]
    keys = sorted({k for t in transcripts for k in t.metadata})
    df = spark.createDataFrame(_rows(transcripts, keys), _schema(keys))
    out = score_dataframe(df, profile=None)
    assert out.schema == SPARK_REPORT_SCHEMA
    rows = [r.asDict(recursive=True) for r in out.collect()]
    assert all(r["error"] is None for r in rows)
    got = {r["id"]: row_to_report(r) for r in rows}
    assert got == _local(transcripts)


def test_broken_records_come_back_as_error_rows(spark) -> None:
    from scriptcheck.integrations.spark import score_dataframe

    rng = random.Random(4)
    good = [_stringified(t) for t in _bundled()][:10]
    rows = _rows(good, [])
    broken = [
        {"id": "bad-speaker", "turns": [{"speaker": "robot", "text": "您好", "start": None, "end": None}]},
        {"id": "no-turns", "turns": []},
        {"id": None, "turns": [{"speaker": "agent", "text": "您好", "start": None, "end": None}]},
        {"id": "bad-times", "turns": [{"speaker": "agent", "text": "您好", "start": -5.0, "end": None}]},
        # past the text bound of the local readers: the same record error, not gigabytes in an executor
        {"id": "too-long", "turns": [{"speaker": "agent", "text": "您" * 1_000_001, "start": None, "end": None}]},
    ]
    mixed = rows + broken
    rng.shuffle(mixed)
    out = [r.asDict(recursive=True) for r in score_dataframe(
        spark.createDataFrame(mixed, _schema([])), profile="hotline").collect()]
    assert len(out) == len(mixed)  # read = scored + rejected
    errors = {r["id"]: r["error"] for r in out if r["error"] is not None}
    assert set(errors) == {"bad-speaker", "no-turns", None, "bad-times", "too-long"}
    assert "turns: 1,000,001 characters of turn text" in errors["too-long"]
    assert "unknown speaker 'robot'" in errors["bad-speaker"]
    assert "empty transcript" in errors["no-turns"]
    assert "turns.0.start" in errors["bad-times"]
    assert all(r["score"] is None for r in out if r["error"] is not None)


def test_utterance_rows_are_grouped_and_ordered_in_spark(spark) -> None:
    from scriptcheck.integrations.spark import score_utterances

    transcripts = [_stringified(t) for t in _bundled()]
    rows = []
    for t in transcripts:
        for seq, turn in enumerate(t.turns):
            rows.append({"call_id": t.id, "seq": seq, "role": turn.speaker, "content": turn.text,
                         "agent_id": t.metadata.get("agent_id")})
    random.Random(1).shuffle(rows)  # the export's row order means nothing
    df = spark.createDataFrame(rows, "call_id string, seq int, role string, content string, agent_id string")
    out = score_utterances(df, conversation="call_id", order="seq", speaker="role", text="content",
                           metadata=["agent_id"], profile="hotline")
    got = {r["id"]: row_to_report(r.asDict(recursive=True)) for r in out.collect()}
    expected_input = []
    for t in transcripts:
        meta = {"agent_id": t.metadata["agent_id"]} if t.metadata.get("agent_id") is not None else {}
        expected_input.append(Transcript(id=t.id, turns=[x.model_copy(update={"start": None, "end": None})
                                                         for x in t.turns], metadata=meta))
    scorer = Scorer("hotline")
    expected = {t.id: row_to_report(report_row(scorer.score(t).model_dump(mode="json"))) for t in expected_input}
    assert got == expected


def test_workers_leave_one_folder_per_job_content_and_none_for_packaged_files(tmp_path, monkeypatch) -> None:
    import tempfile

    from scriptcheck.integrations import spark as integration

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(integration, "_WORKER_SCORERS", {})
    lexicon = ROOT / "lexicons" / "polite.yaml"
    integration._scorer(integration.JobFiles.read("hotline"))
    assert list(tmp_path.iterdir()) == []  # packaged files only: nothing written
    files = integration.JobFiles.read("hotline", [lexicon])
    first = integration._scorer(files)
    monkeypatch.setattr(integration, "_WORKER_SCORERS", {})  # another worker process, same job
    second = integration._scorer(files)
    (parent,) = tmp_path.iterdir()
    (folder,) = parent.iterdir()
    assert [p.name for p in folder.iterdir()] == ["00-polite.yaml"]
    assert first.extra_lexicons == second.extra_lexicons == (str(folder / "00-polite.yaml"),)


def test_a_job_folder_someone_else_can_write_is_refused(tmp_path, monkeypatch) -> None:
    import os
    import tempfile

    from scriptcheck.errors import ScriptcheckError
    from scriptcheck.integrations import spark as integration

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"scriptcheck-spark-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    with pytest.raises(ScriptcheckError, match="not a private folder"):
        integration._job_folder("0" * 64)
