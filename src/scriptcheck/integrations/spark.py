"""Scoring on Spark: DataFrames of conversations or utterances in, DataFrames of reports out.

PySpark is an optional extra (``pip install "scriptcheck[spark]"``). Scoring runs in Arrow
batches (``mapInArrow``) with one scorer per Python worker process: the profile and lexicon
files are read once on the driver, travel with the job as text (not re-read per batch, not
pickled per row), and each worker builds its scorer from them on the first batch and keeps it
for every later batch of the same job (keyed by the files' content, so two jobs with different
lexicons in one worker never share one).

Output rows follow the wire schema of a report plus ``source``, ``line`` and ``error`` columns
(:mod:`scriptcheck.tables`): a record that cannot be scored is a row with its reason in
``error``, never dropped.

    from scriptcheck.integrations.spark import score_dataframe, score_utterances
    reports = score_dataframe(spark.read.parquet("calls/"), profile="hotline", lexicons=["bank.yaml"])
    reports = score_utterances(spark.table("asr.utterances"), conversation="call_id", order="seq")
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

try:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError as exc:  # an optional extra: say how to get it
    raise ImportError('scriptcheck.integrations.spark needs PySpark: pip install "scriptcheck[spark]"',
                      name=exc.name) from exc

from scriptcheck.batch import Scored, Scorer, Summary, score_record, scored_from
from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.io.records import Record, build_transcript
from scriptcheck.resources import is_path_reference
from scriptcheck.tables import error_row, report_row, report_schema, without_nulls

__all__ = ["JobFiles", "score_dataframe", "score_utterances", "score_records_spark", "spark_session",
           "SPARK_REPORT_SCHEMA"]

REPORT_ARROW_SCHEMA = report_schema()
# The declared Spark schema of the report DataFrames (the same columns as --format parquet).
SPARK_REPORT_SCHEMA = from_arrow_schema(REPORT_ARROW_SCHEMA)


@dataclass(frozen=True)
class JobFiles:
    """What a worker needs to build the job's scorer: the profile (a packaged name, or a file's
    text) and the extra lexicons' texts, read once on the driver."""

    profile: str | None
    default_profile: str
    profile_text: str | None
    lexicons: tuple[tuple[str, str], ...]

    @classmethod
    def read(cls, profile: str | None, lexicons: Iterable[str | Path] = (), default_profile: str = "hotline") -> "JobFiles":
        """Read the files a job names (a profile given as a file is shipped as its text)."""
        profile_text = None
        if profile is not None and is_path_reference(profile):
            profile_text = Path(profile).read_text(encoding="utf-8-sig")
        texts = tuple((Path(p).name, Path(p).read_text(encoding="utf-8-sig")) for p in lexicons)
        return cls(profile if profile_text is None else Path(profile).name, default_profile, profile_text, texts)

    @property
    def key(self) -> str:
        """A digest of everything the scorer is built from."""
        return hashlib.sha256(json.dumps([self.profile, self.default_profile, self.profile_text, self.lexicons],
                                         ensure_ascii=False).encode()).hexdigest()


# Scorers built in this worker process, by JobFiles.key (see the module doc).
_WORKER_SCORERS: dict[str, Scorer] = {}


def _job_folder(key: str) -> Path:
    """Where a worker writes the job's files: the scorer reads them whenever it first meets a
    profile, so they must outlive its build, and a Spark worker ends with ``os._exit`` (no
    clean-up runs). So the folder is named by the files' content, in a folder of this user's
    that no one else can write to: every worker and every run of the same job shares one folder
    instead of leaving one each."""
    uid = os.getuid() if hasattr(os, "getuid") else None  # None: no POSIX owners and modes (Windows)
    parent = Path(tempfile.gettempdir()) / (f"scriptcheck-spark-{uid}" if uid is not None else "scriptcheck-spark")
    parent.mkdir(mode=0o700, exist_ok=True)
    info = parent.lstat()  # not followed: a link planted in a shared /tmp is refused
    shared = uid is not None and (info.st_uid != uid or info.st_mode & 0o022)
    if not stat.S_ISDIR(info.st_mode) or shared:
        raise ScriptcheckError(f"{parent}: not a private folder of this user; remove it or set TMPDIR")
    folder = parent / key[:32]
    folder.mkdir(exist_ok=True)
    return folder


def _write_once(path: Path, text: str) -> None:
    """Write a job file unless another worker has: the folder is named by the job's content, so a
    file that is there is this text (written whole: a worker never reads another's half copy)."""
    if path.is_file():
        return
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def _scorer(files: JobFiles) -> Scorer:
    key = files.key  # a digest of every file's text: worked out once per batch iterator
    scorer = _WORKER_SCORERS.get(key)
    if scorer is None:
        # A job of packaged files only (the common case) writes nothing, so it needs no folder.
        folder = _job_folder(key) if files.lexicons or files.profile_text is not None else None
        lexicons = []
        for index, (name, text) in enumerate(files.lexicons):
            path = folder / f"{index:02d}-{Path(name).name}"  # a name, never a path from the job
            _write_once(path, text)
            lexicons.append(str(path))
        profile = files.profile
        if files.profile_text is not None:
            profile = str(folder / Path(files.profile or "profile.yaml").name)
            _write_once(Path(profile), files.profile_text)
        scorer = Scorer(profile, files.default_profile, tuple(lexicons))
        _WORKER_SCORERS[key] = scorer
    return scorer


def _score_transcript(scorer: Scorer, transcript, source: str, line: int | None) -> dict:
    """The output row of a valid transcript: its report, or the error of its profile."""
    try:
        report = scorer.score(transcript)
    except ScriptcheckError as exc:  # e.g. a `profile` column naming no packaged profile
        return error_row(f"profile: {exc}", ident=transcript.id, source=source, line=line)
    return report_row(report.model_dump(mode="json"), source=source, line=line)


def _raw_id(raw: Any) -> str | None:
    """The ``id`` of a record that failed validation, when it has a usable one."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    ident = data.get("id") if isinstance(data, dict) else None
    return str(ident) if isinstance(ident, (str, int)) and not isinstance(ident, bool) else None


def _conversation_scorer(files: JobFiles, source: str):
    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        scorer = _scorer(files)
        for batch in batches:
            rows = []
            for row in batch.to_pylist():
                raw = without_nulls(row)
                try:
                    transcript = build_transcript(raw, source=source, line=None)
                except InputError as exc:
                    rows.append(error_row(exc.describe(), ident=_raw_id(raw), source=source))
                    continue
                rows.append(_score_transcript(scorer, transcript, source, None))
            yield pa.RecordBatch.from_pylist(rows, schema=REPORT_ARROW_SCHEMA)
    return score_batches


def score_dataframe(df: DataFrame, profile: str | None = "hotline", lexicons: Iterable[str | Path] = (), *,
                    default_profile: str = "hotline", source: str = "<dataframe>") -> DataFrame:
    """Score a DataFrame of conversations: ``id``, ``turns`` (an array of structs with
    ``speaker``, ``text`` and optional ``start``/``end``) and any metadata columns.

    ``profile=None`` lets each row's ``profile`` column choose among packaged profiles (else
    ``default_profile``). Returns a DataFrame with :data:`SPARK_REPORT_SCHEMA`: one row per
    input row, a report or an ``error``.
    """
    files = JobFiles.read(profile, lexicons, default_profile)
    return df.mapInArrow(_conversation_scorer(files, source), SPARK_REPORT_SCHEMA)


def score_utterances(df: DataFrame, *, conversation: str = "conversation_id", order: str = "seq",
                     speaker: str = "speaker", text: str = "text", start: str | None = None,
                     end: str | None = None, metadata: Iterable[str] = (), profile: str | None = "hotline",
                     lexicons: Iterable[str | Path] = (), default_profile: str = "hotline") -> DataFrame:
    """Score a table of one row per utterance (what call-analytics systems export): rows are
    grouped by ``conversation`` and ordered by ``order`` in Spark, then scored as
    :func:`score_dataframe` does. ``metadata`` columns are taken from a conversation's first
    row."""
    columns = {"speaker": F.col(speaker).cast("string"), "text": F.col(text).cast("string")}
    if start is not None:
        columns["start"] = F.col(start).cast("double")
    if end is not None:
        columns["end"] = F.col(end).cast("double")
    # A struct sorts by its first field: the order column leads, so sort_array orders the turns.
    utterance = F.struct(F.col(order).alias("_order"), *[c.alias(n) for n, c in columns.items()])
    aggregates = [F.sort_array(F.collect_list(utterance)).alias("_turns")]
    aggregates += [F.first(F.col(m), ignorenulls=True).alias(m) for m in metadata]
    grouped = df.groupBy(F.col(conversation).cast("string").alias("id")).agg(*aggregates)
    turns = F.transform(F.col("_turns"), lambda t: F.struct(*[t[n].alias(n) for n in columns]))
    conversations = grouped.withColumn("turns", turns).drop("_turns")
    return score_dataframe(conversations, profile, lexicons, default_profile=default_profile, source="<utterances>")


_CLI_SCHEMA = ("position long, outcome string, payload string, field string, line long, score double, "
               "passed boolean, vetoed boolean, rules array<string>, agent_id string, named_profile boolean")


def _cli_scorer(scorer: Scorer, key: str):
    """The executors' side of ``score --engine spark``: the local engine's own scoring step
    (``batch.score_record``) on each record, so a report is byte for byte the local one."""
    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        mine = _WORKER_SCORERS.setdefault(key, scorer)  # one per worker, whatever the tasks
        for batch in batches:
            out = []
            for row in batch.to_pylist():
                outcome = score_record(mine, Record(row["source"], row["line"], raw=row["raw"]), serialize=True)
                if outcome[0] == "error":
                    _, reason, field, line = outcome
                    out.append({"position": row["position"], "outcome": "error", "payload": reason,
                                "field": field, "line": line})
                else:
                    _, report_json, summary = outcome
                    out.append({"position": row["position"], "outcome": "ok", "payload": report_json,
                                "score": summary.score, "passed": summary.passed, "vetoed": summary.vetoed,
                                "rules": list(summary.rules), "agent_id": json.dumps(summary.agent_id),
                                "named_profile": summary.named_profile})
            yield pa.RecordBatch.from_pylist(out, schema=_CLI_ARROW_SCHEMA)
    return score_batches


_CLI_ARROW_SCHEMA = pa.schema([
    ("position", pa.int64()), ("outcome", pa.string()), ("payload", pa.string()), ("field", pa.string()),
    ("line", pa.int64()), ("score", pa.float64()), ("passed", pa.bool_()), ("vetoed", pa.bool_()),
    ("rules", pa.list_(pa.string())), ("agent_id", pa.string()), ("named_profile", pa.bool_()),
])


def score_records_spark(spark: SparkSession, records: Iterable[Record], scorer: Scorer,
                        partitions: int | None = None) -> Iterator[Scored]:
    """The Spark engine of ``scriptcheck score``: what :func:`scriptcheck.batch.score_records`
    yields — a :class:`Scored` per record, in input order — with the validation and scoring done
    by Spark's executors. Records are read on the driver by the local readers (a record that
    could not be read never leaves it), so inputs, outputs and counts are the local engine's.
    The batch is collected on the driver first: for data that lives in a lake, use
    :func:`score_dataframe` on its tables."""
    records = list(records)
    rows = []
    for position, record in enumerate(records):
        if record.error is not None:
            continue
        raw = record.raw
        if raw is None and record.transcript is not None:
            raw = record.transcript.model_dump_json()
        elif not isinstance(raw, str):
            raw = json.dumps(raw, ensure_ascii=False)
        rows.append((position, record.source, record.line, raw))
    outcomes: dict[int, tuple] = {}
    if rows:
        key = hashlib.sha256(pickle.dumps(scorer)).hexdigest()
        df = spark.createDataFrame(rows, "position long, source string, line long, raw string")
        df = df.repartition(partitions or spark.sparkContext.defaultParallelism)
        for row in df.mapInArrow(_cli_scorer(scorer, key), _CLI_SCHEMA).toLocalIterator():
            if row["outcome"] == "error":
                outcomes[row["position"]] = ("error", row["payload"], row["field"], row["line"])
            else:
                summary = Summary(row["score"], row["passed"], row["vetoed"], tuple(row["rules"]),
                                  json.loads(row["agent_id"]), row["named_profile"])
                outcomes[row["position"]] = ("ok", row["payload"], summary)
    for position, record in enumerate(records):
        yield Scored(record) if record.error is not None else scored_from(record, outcomes[position])


def spark_session(master: str = "local[2]", app: str = "scriptcheck") -> SparkSession:
    """A Spark session for the CLI (quiet: no UI, few shuffle partitions for local runs)."""
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    # Spark starts its Python workers with `python3` from PATH unless told: they must run this
    # interpreter, the one scriptcheck is installed in.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app).config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "8")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
