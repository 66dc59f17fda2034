"""Batch scoring: stream records through checkers (in worker processes), in input order.

Memory stays flat: records are read lazily and at most ``2 × jobs`` chunks are in flight.
Each worker builds the checker of a profile once and reuses it for every record.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from scriptcheck.checker import Checker
from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.io.records import Record
from scriptcheck.models import Report, Transcript

__all__ = ["BatchStats", "Scorer", "score_records", "score_transcripts"]

_CHUNK = 64


class Scorer:
    """Scores transcripts, choosing each one's profile: ``profile`` if given, else the
    transcript's ``metadata.profile``, else ``default_profile``. Checkers are built once."""

    def __init__(self, profile: str | None = None, default_profile: str = "hotline",
                 extra_lexicons: tuple[str, ...] = ()) -> None:
        self.profile = profile
        self.default_profile = default_profile
        self.extra_lexicons = tuple(extra_lexicons)
        self._checkers: dict[str, Checker] = {}

    def profile_for(self, transcript: Transcript) -> str:
        """The profile name that applies to ``transcript``."""
        return self.profile or str(transcript.metadata.get("profile") or self.default_profile)

    def checker(self, name: str) -> Checker:
        """The (cached) checker of profile ``name``."""
        checker = self._checkers.get(name)
        if checker is None:
            checker = Checker.from_profile(name, extra_lexicons=self.extra_lexicons)
            self._checkers[name] = checker
        return checker

    def score(self, transcript: Transcript) -> Report:
        """Score one transcript under its profile."""
        return self.checker(self.profile_for(transcript)).score(transcript)


@dataclass
class BatchStats:
    """Running totals of a batch; ``read == scored + rejected`` always."""

    read: int = 0
    scored: int = 0
    rejected: int = 0
    passed: int = 0
    score_sum: float = 0.0
    turns: int = 0
    rules: Counter = field(default_factory=Counter)
    agents: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0]))

    def add_report(self, report: Report, turns: int = 0) -> None:
        """Count a scored transcript."""
        self.read += 1
        self.scored += 1
        self.turns += turns
        self.passed += report.passed
        self.score_sum += report.score
        self.rules.update(f.rule for f in report.findings)
        agent = report.metadata.get("agent_id")
        if agent is not None:
            row = self.agents[str(agent)]
            row[0] += 1
            row[1] += report.score
            row[2] += report.passed

    def add_rejected(self) -> None:
        """Count a record that could not be read or validated."""
        self.read += 1
        self.rejected += 1

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


# -- worker side ------------------------------------------------------------------------------

_WORKER_SCORER: Scorer | None = None


def _init_worker(profile, default_profile, extra_lexicons) -> None:
    global _WORKER_SCORER
    _WORKER_SCORER = Scorer(profile, default_profile, extra_lexicons)


def _score_chunk(transcripts: list[Transcript]) -> list[Report | str]:
    assert _WORKER_SCORER is not None
    out: list[Report | str] = []
    for transcript in transcripts:
        try:
            out.append(_WORKER_SCORER.score(transcript))
        except ScriptcheckError as exc:  # e.g. a transcript naming an unknown profile
            out.append(str(exc))
    return out


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _resolve(chunk: list[Record], results: list[Report | str]) -> Iterator[tuple[Record, Report | None]]:
    it = iter(results)
    for record in chunk:
        if record.transcript is None:
            yield record, None
            continue
        result = next(it)
        if isinstance(result, str):
            yield record._replace(error=InputError(result, file=record.source, line=record.line),
                                  transcript=None), None
        else:
            yield record, result


def score_records(records: Iterable[Record], scorer: Scorer, jobs: int = 1,
                  chunk_size: int = _CHUNK) -> Iterator[tuple[Record, Report | None]]:
    """Score a stream of records, yielding ``(record, report or None)`` in input order.

    With ``jobs > 1`` the transcripts are scored in that many worker processes, each building
    its checkers once; records that carry an error pass through unscored.
    """
    if jobs <= 1:
        for chunk in _chunks(records, chunk_size):
            results: list[Report | str] = []
            for record in chunk:
                if record.transcript is not None:
                    try:
                        results.append(scorer.score(record.transcript))
                    except ScriptcheckError as exc:
                        results.append(str(exc))
            yield from _resolve(chunk, results)
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
    with context.Pool(jobs, **pool_args) as pool:
        pending: deque = deque()
        for chunk in _chunks(records, chunk_size):
            transcripts = [r.transcript for r in chunk if r.transcript is not None]
            pending.append((chunk, pool.apply_async(_score_chunk, (transcripts,))))
            while len(pending) >= 2 * jobs:
                done_chunk, result = pending.popleft()
                yield from _resolve(done_chunk, result.get())
        while pending:
            done_chunk, result = pending.popleft()
            yield from _resolve(done_chunk, result.get())


def score_transcripts(transcripts: Iterable[Transcript], profile: str | None = None, *,
                      default_profile: str = "hotline", jobs: int = 1) -> Iterator[Report]:
    """Python API for batches: score transcripts (in ``jobs`` processes), in input order."""
    scorer = Scorer(profile, default_profile)
    records = (Record("<api>", i + 1, transcript=t) for i, t in enumerate(transcripts))
    for record, report in score_records(records, scorer, jobs):
        if report is None:
            raise ScriptcheckError(record.error.describe() if record.error else "not scored")
        yield report
