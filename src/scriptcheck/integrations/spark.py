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

from scriptcheck.batch import Scorer
from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.io.records import Record, build_transcript
from scriptcheck.resources import is_path_reference
from scriptcheck.tables import error_row, report_row, report_schema

__all__ = ["JobFiles", "score_dataframe", "score_utterances", "score_json_lines", "spark_session",
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


def _scorer(files: JobFiles) -> Scorer:
    scorer = _WORKER_SCORERS.get(files.key)
    if scorer is None:
        folder = Path(tempfile.mkdtemp(prefix="scriptcheck-spark-"))
        lexicons = []
        for index, (name, text) in enumerate(files.lexicons):
            path = folder / f"{index:02d}-{Path(name).name}"  # a name, never a path from the job
            path.write_text(text, encoding="utf-8")
            lexicons.append(str(path))
        profile = files.profile
        if files.profile_text is not None:
            profile = str(folder / Path(files.profile or "profile.yaml").name)
            Path(profile).write_text(files.profile_text, encoding="utf-8")
        scorer = Scorer(profile, files.default_profile, tuple(lexicons))
        _WORKER_SCORERS[files.key] = scorer
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


def _clean(value: Any) -> Any:
    """Arrow rows have every column of the schema; a null means "not given" here."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _conversation_scorer(files: JobFiles, source: str):
    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        scorer = _scorer(files)
        for batch in batches:
            rows = []
            for row in batch.to_pylist():
                raw = _clean(row)
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


def _json_scorer(files: JobFiles):
    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        scorer = _scorer(files)
        for batch in batches:
            rows = []
            for row in batch.to_pylist():
                if row["error"] is not None:  # the driver could not read it
                    rows.append(error_row(row["error"], source=row["source"], line=row["line"]))
                    continue
                record = Record(row["source"], row["line"], raw=row["raw"]).validated()
                if record.error is not None:
                    e = record.error
                    rows.append(error_row(e.describe(), ident=_raw_id(row["raw"]), source=row["source"],
                                          line=e.line or row["line"]))
                else:
                    rows.append(_score_transcript(scorer, record.transcript, row["source"], row["line"]))
            out = pa.RecordBatch.from_pylist(rows, schema=REPORT_ARROW_SCHEMA)
            # The input's position travels with each row, so the driver can restore input order.
            yield out.append_column("position", pa.array([r["position"] for r in batch.to_pylist()], pa.int64()))
    return score_batches


_RAW_SCHEMA = "position long, source string, line long, raw string, error string"


def score_json_lines(spark: SparkSession, records: Iterable[Record], files: JobFiles,
                     partitions: int | None = None) -> Iterator[tuple[int, dict]]:
    """The Spark engine of ``scriptcheck score``: records read on the driver (as the local
    engine reads them) are validated and scored by the executors; yields ``(input position,
    row)`` in input order."""
    rows = []
    for position, record in enumerate(records):
        raw = record.raw
        if raw is None and record.transcript is not None:
            raw = record.transcript.model_dump_json()
        elif raw is not None and not isinstance(raw, str):
            raw = json.dumps(raw, ensure_ascii=False)
        error = record.error.describe() if record.error is not None else None
        rows.append((position, record.source, record.line, raw, error))
    if not rows:
        return iter(())
    df = spark.createDataFrame(rows, _RAW_SCHEMA)
    if partitions:
        df = df.repartition(partitions)
    schema = from_arrow_schema(REPORT_ARROW_SCHEMA.append(pa.field("position", pa.int64())))
    scored = df.mapInArrow(_json_scorer(files), schema).orderBy("position")
    return ((row["position"], row.asDict(recursive=True)) for row in scored.toLocalIterator())


def spark_session(master: str = "local[2]", app: str = "scriptcheck") -> SparkSession:
    """A Spark session for the CLI (quiet: no UI, few shuffle partitions for local runs)."""
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    # Spark starts its Python workers with `python3` from PATH unless told: they must run this
    # interpreter, the one scriptcheck is installed in.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app).config("spark.ui.enabled", "false")
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "8")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
