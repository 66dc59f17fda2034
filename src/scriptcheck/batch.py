"""Batch scoring: stream records through checkers (in worker processes), in input order.

Memory stays flat: records are read lazily and at most ``2 × jobs`` chunks are in flight.
Each worker builds the checker of a profile once and reuses it for every record.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Iterable, Iterator, NamedTuple

from scriptcheck.scoring import ProfileScorer
from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.io.records import Record
from scriptcheck.models import Report, Transcript

__all__ = ["BatchStats", "Scored", "Scorer", "score_records", "score_transcripts"]

_CHUNK = 64


class Scorer:
    """Scores transcripts, choosing each one's profile: ``profile`` if given, else the
    transcript's ``metadata.profile``, else ``default_profile``. Scorers are built once."""

    def __init__(self, profile: str | None = None, default_profile: str = "hotline",
                 extra_lexicons: tuple[str, ...] = ()) -> None:
        self.profile = profile
        self.default_profile = default_profile
        self.extra_lexicons = tuple(extra_lexicons)
        self._scorers: dict[str, ProfileScorer] = {}

    def profile_for(self, transcript: Transcript) -> str:
        """The profile name that applies to ``transcript``."""
        return self.profile or str(transcript.metadata.get("profile") or self.default_profile)

    def scorer(self, name: str) -> ProfileScorer:
        """The (cached) scorer of profile ``name``."""
        scorer = self._scorers.get(name)
        if scorer is None:
            scorer = self._scorers[name] = self._build(name)
        return scorer

    def _build(self, name: str) -> ProfileScorer:
        return ProfileScorer.load(name, extra_lexicons=self.extra_lexicons)

    def score(self, transcript: Transcript) -> Report:
        """Score one transcript under its profile."""
        return self.scorer(self.profile_for(transcript)).score(transcript)


@dataclass
class BatchStats:
    """Running totals of a batch; ``read == scored + rejected`` always."""

    scored: int = 0
    rejected: int = 0
    passed: int = 0
    score_sum: float = 0.0
    rules: Counter = field(default_factory=Counter)
    agents: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0]))

    def add_scored(self, summary: "Summary") -> None:
        """Count a scored transcript from its summary."""
        score, passed, agent, rules = summary.score, summary.passed, summary.agent_id, summary.rules
        self.scored += 1
        self.passed += passed
        self.score_sum += score
        self.rules.update(rules)
        if agent is not None:
            row = self.agents[str(agent)]
            row[0] += 1
            row[1] += score
            row[2] += passed

    def add_rejected(self) -> None:
        """Count a record that could not be read or validated."""
        self.rejected += 1

    @property
    def read(self) -> int:
        """Records read: every one is either scored or rejected."""
        return self.scored + self.rejected

    @property
    def mean_score(self) -> float | None:
        """Mean score of the scored transcripts (``None`` when none was scored)."""
        return round(self.score_sum / self.scored, 2) if self.scored else None

    @property
    def pass_rate(self) -> float | None:
        """Share of scored transcripts that passed."""
        return round(self.passed / self.scored, 4) if self.scored else None

    def to_dict(self, top: int = 10) -> dict:
        """The summary as plain data (for JSON output)."""
        return {
            "read": self.read, "scored": self.scored, "rejected": self.rejected,
            "passed": self.passed, "pass_rate": self.pass_rate, "mean_score": self.mean_score,
            "top_rules": [{"rule": r, "count": c} for r, c in self.rules.most_common(top)],
            "agents": {a: {"transcripts": n, "mean_score": round(s / n, 2), "passed": p}
                       for a, (n, s, p) in sorted(self.agents.items())},
        }


# -- scoring one record (in this process or a worker) ----------------------------------------

class Scored(NamedTuple):
    """The outcome of one record: rejected (``record.error`` set) or scored.

    ``report`` is the report object and ``report_json`` its wire form; at least one is set for
    a scored record (a worker sends only the JSON, which is all ``--format jsonl`` needs).
    ``summary`` is what :class:`BatchStats` counts.
    """

    record: Record
    report: Report | None = None
    report_json: str | None = None
    summary: "Summary | None" = None

    def get_report(self) -> Report:
        """The report object (parsed from its JSON if it came from a worker)."""
        return self.report if self.report is not None else Report.model_validate_json(self.report_json)

    def get_json(self) -> str:
        """The report's wire form."""
        return self.report_json if self.report_json is not None else self.report.model_dump_json()


class Summary(NamedTuple):
    """What the batch summary needs of one report (small, so workers send it cheaply)."""

    score: float
    passed: bool
    vetoed: bool
    rules: tuple[str, ...]
    agent_id: object
    # Whether the transcript named its own profile (one that did not got the default profile).
    named_profile: bool = True


def _summary(report: Report) -> Summary:
    return Summary(report.score, report.passed, report.vetoed, tuple(f.rule for f in report.findings),
                   report.metadata.get("agent_id"), bool(report.metadata.get("profile")))


def _score_one(scorer: Scorer, record: Record, serialize: bool) -> tuple:
    """Validate and score one record; returns a picklable outcome."""
    record = record.validated()
    if record.error is not None:
        e = record.error
        return ("error", e.reason, e.field, e.line or record.line)
    try:
        report = scorer.score(record.transcript)
    except ScriptcheckError as exc:  # e.g. a transcript naming an unknown profile
        return ("error", str(exc), "profile", record.line)
    summary = _summary(report)
    return ("ok", report.model_dump_json() if serialize else report, summary)


def _outcome(record: Record, outcome: tuple) -> Scored:
    if outcome[0] == "error":
        _, reason, field_name, line = outcome
        return Scored(record._replace(raw=None, error=InputError(reason, file=record.source, line=line,
                                                                 field=field_name)))
    _, payload, summary = outcome
    if isinstance(payload, str):
        return Scored(record._replace(raw=None), report_json=payload, summary=summary)
    return Scored(record._replace(raw=None), report=payload, summary=summary)


_WORKER_SCORER: Scorer | None = None


def _init_worker(profile, default_profile, extra_lexicons) -> None:
    global _WORKER_SCORER
    _WORKER_SCORER = Scorer(profile, default_profile, extra_lexicons)


def _score_chunk(records: list[Record]) -> list[tuple]:
    assert _WORKER_SCORER is not None
    return [_score_one(_WORKER_SCORER, record, serialize=True) for record in records]


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def score_records(records: Iterable[Record], scorer: Scorer, jobs: int = 1,
                  chunk_size: int = _CHUNK) -> Iterator[Scored]:
    """Score a stream of records, yielding a :class:`Scored` per record in input order.

    With ``jobs > 1`` parsing, validation, scoring and serialisation all happen in worker
    processes (each with checkers built once); this process only reads lines and writes
    results, so it does not become the bottleneck.
    """
    if jobs <= 1:
        for record in records:
            if record.error is not None:
                yield Scored(record)
            else:
                yield _outcome(record, _score_one(scorer, record, serialize=False))
        return
    global _WORKER_SCORER
    if "fork" in multiprocessing.get_all_start_methods():
        # Forked workers inherit the checkers the parent already compiled (copy-on-write), so
        # no worker pays for loading lexicons again.
        context = multiprocessing.get_context("fork")
        _WORKER_SCORER = scorer
        pool_args: dict = {}
    else:
        context = multiprocessing.get_context("spawn")
        pool_args = {"initializer": _init_worker,
                     "initargs": (scorer.profile, scorer.default_profile, scorer.extra_lexicons)}

    def resolve(chunk: list[Record], outcomes: list[tuple]) -> Iterator[Scored]:
        it = iter(outcomes)
        for record in chunk:
            yield Scored(record) if record.error is not None else _outcome(record, next(it))

    with context.Pool(jobs, **pool_args) as pool:
        pending: deque = deque()
        for chunk in _chunks(records, chunk_size):
            work = [r for r in chunk if r.error is None]
            pending.append((chunk, pool.apply_async(_score_chunk, (work,))))
            while len(pending) >= 2 * jobs:
                done, result = pending.popleft()
                yield from resolve(done, result.get())
        while pending:
            done, result = pending.popleft()
            yield from resolve(done, result.get())


def score_transcripts(transcripts: Iterable[Transcript], profile: str | None = None, *,
                      default_profile: str = "hotline", jobs: int = 1) -> Iterator[Report]:
    """Python API for batches: score transcripts (in ``jobs`` processes), in input order."""
    scorer = Scorer(profile, default_profile)
    records = (Record("<api>", i + 1, transcript=t) for i, t in enumerate(transcripts))
    for scored in score_records(records, scorer, jobs):
        if scored.record.error is not None:
            raise ScriptcheckError(scored.record.error.describe())
        yield scored.get_report()
