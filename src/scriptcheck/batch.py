"""Batch scoring: stream records through profile scorers (in worker processes), in input order.

Memory stays flat: records are read lazily and at most ``(_DEPTH + 1) × jobs`` chunks are in
flight.
Each worker builds the scorer of a profile once and reuses it for every record.

Worker processes are run by a small supervisor of this module's own (not
``multiprocessing.Pool``, which waits forever for the result of a worker killed by the OOM
killer or ``kill -9``, and whose shutdown can hang on Ctrl-C):

- each worker has its own pipe and holds at most ``_DEPTH`` chunks: the one it scores and the
  next, which a thread of the worker has already read off the pipe, so a worker never waits
  for the parent between chunks and neither side ever blocks writing to the other (the
  worker's reading does not wait on its writing); the parent waits on every pipe *and* every
  worker's process sentinel, so a worker that dies is seen at once and the batch ends with
  :class:`WorkerDied` (the records already yielded are complete);
- workers ignore SIGINT (a terminal sends Ctrl-C to the whole process group): the parent
  alone decides, and terminates every worker at once when the batch is interrupted or
  abandoned; no worker prints a traceback;
- per-batch state (the :class:`Scorer`) is handed to each worker when it starts — inherited
  as it is under ``fork``, pickled without its scorers under ``spawn`` — so two batches in
  one process never share a module global.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from collections import Counter, defaultdict, deque
from itertools import chain
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_any
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

from scriptcheck.errors import InputError, ScriptcheckError
from scriptcheck.io.records import Record
from scriptcheck.match.prefilter_cache import save_prefilters
from scriptcheck.models import Report, Severity, Transcript
from scriptcheck.profile.loader import default_profile_names
from scriptcheck.scoring import ProfileScorer, score_findings

__all__ = ["BatchStats", "Scored", "ScoredChunk", "Scorer", "Summary", "WorkerDied", "score_chunks", "score_record",
           "scored_from", "score_records", "score_transcripts", "worker_count"]

# Turns reports into the output's text (``ReportWriter.render_many`` of the output format).
Render = Callable[[list[Report]], "str | bytes"]

_CHUNK = 64
# Chunks a worker holds at once: the one it scores and the next, already read. With one, a
# worker that finished waited for the parent to be scheduled, take its results and send the
# next chunk (milliseconds per chunk on a busy 2-core machine, where the parent competes with
# the workers for a CPU).
_DEPTH = 2
# Records scored in this process before any worker starts, and how many more must follow for
# workers to be worth starting (else they are scored here too). A batch smaller than the sum
# never pays for worker processes, which would only make it slower; and by the time workers
# fork, this process has built its scorers and loaded jieba's dictionary, which they share
# copy-on-write instead of loading their own. 512 records are about 0.15 s of work; with 512
# more (1,100 in all) two workers were still 3% slower than one process, with 1,488 more
# (2,000) 17% faster (benchmarks/bench_process.py --sweep, benchmarks/RESULTS.md).
_IN_PROCESS_LEAD = 512
_PARALLEL_MIN_REST = 1024
# The lead of a batch its caller knows to be large (``score_chunks(..., large=True)``: the CLI
# sizes its input files first): nothing to find out by reading ahead, so the workers start
# after a few records, which pay this process's first-use costs (the regexes and caches
# filled by the first transcripts, then shared with the workers copy-on-write). The 512-record
# lead and the read-ahead were ~0.25 s of one process's work before two workers started, a
# tenth of the two-worker run on 200,010 turns (benchmarks/RESULTS.md, speed8).
_LARGE_LEAD = 32


class WorkerDied(ScriptcheckError):
    """A worker process ended without being asked to (killed, out of memory, crashed)."""


class Scorer:
    """Scores transcripts, choosing each one's profile: ``profile`` if given, else the
    transcript's ``metadata.profile``, else ``default_profile``. Scorers are built once.

    A transcript may choose only among the packaged profiles and the profiles named here
    (``profile``, ``default_profile``, ``allowed_profiles``): a field in the data never names
    a file to open. ``severity`` re-grades findings (code or prefix → severity, the longest
    match wins) before they are scored, as ``lint`` does with the configuration's ``severity``.
    """

    def __init__(self, profile: str | None = None, default_profile: str = "hotline",
                 extra_lexicons: tuple[str, ...] = (), *, allowed_profiles: Iterable[str] = (),
                 severity: Mapping[str, Severity | str] | None = None) -> None:
        self.profile = profile
        self.default_profile = default_profile
        self.extra_lexicons = tuple(extra_lexicons)
        self.allowed_profiles = frozenset(p for p in (profile, default_profile, *allowed_profiles) if p)
        self.severity = {code: Severity(value) for code, value in (severity or {}).items()}
        self._scorers: dict[str, ProfileScorer] = {}
        self._packaged: frozenset[str] | None = None
        self._many = False  # prepare() was called: scorers are readied for many transcripts when built

    def __getstate__(self) -> dict:
        # Sent to spawned workers: the settings, not the compiled scorers (each worker builds
        # its own, once).
        return {**self.__dict__, "_scorers": {}}

    @property
    def loaded(self) -> int:
        """How many scorers have been built so far (the CLI freezes the GC after each new one)."""
        return len(self._scorers)

    def _packaged_profiles(self) -> frozenset[str]:
        if self._packaged is None:
            self._packaged = frozenset(default_profile_names())
        return self._packaged

    def profile_for(self, transcript: Transcript) -> str:
        """The profile name that applies to ``transcript``.

        Raises :class:`InputError` (field ``profile``) when the transcript names a profile that
        is neither packaged nor one of those this scorer was given.
        """
        if self.profile:
            return self.profile
        chosen = transcript.metadata.get("profile")
        if chosen is None or chosen == "":
            return self.default_profile
        if not isinstance(chosen, str) or (chosen not in self.allowed_profiles
                                           and chosen not in self._packaged_profiles()):
            names = ", ".join(sorted(self._packaged_profiles() | self.allowed_profiles))
            raise InputError(f"unknown profile {str(chosen)[:80]!r}: a transcript may choose only a "
                             f"packaged profile or one named on the command line or in the "
                             f"configuration ({names})", field="profile")
        return chosen

    def _build(self, name: str) -> ProfileScorer:
        """Build the scorer of profile ``name`` (a packaged name always means the packaged
        file, never a file of that name in the current directory: see ``resources``)."""
        return ProfileScorer.load(name, extra_lexicons=self.extra_lexicons)

    def scorer(self, name: str) -> ProfileScorer:
        """The (cached) scorer of profile ``name``."""
        scorer = self._scorers.get(name)
        if scorer is None:
            scorer = self._scorers[name] = self._build(name)
            if self._many:
                scorer.prepare()
        return scorer

    def prepare(self) -> None:
        """Ready every scorer, built already or built later (in a worker too), for many
        transcripts (:meth:`ProfileScorer.prepare`): for a batch known to be large. The
        reports are the same either way."""
        self._many = True
        for scorer in self._scorers.values():
            scorer.prepare()

    def score(self, transcript: Transcript) -> Report:
        """Score one transcript under its profile (findings re-graded by ``severity``)."""
        scorer = self.scorer(self.profile_for(transcript))
        report = scorer.score(transcript)
        return self._regrade(report, scorer) if self.severity else report

    def _severity_for(self, rule: str, default: Severity) -> Severity:
        best = max((c for c in self.severity if rule.startswith(c)), key=len, default=None)
        return self.severity[best] if best is not None else default

    def _regrade(self, report: Report, scorer: ProfileScorer) -> Report:
        """The report with the configured severities: a finding's severity decides its points
        and the veto, so the findings are scored again over the same dimensions."""
        findings = []
        changed = False
        for f in report.findings:
            severity = self._severity_for(f.rule, f.severity)
            if severity != f.severity:
                f = f.model_copy(update={"severity": severity})
                changed = True
            findings.append(f)
        if not changed:
            return report
        score = score_findings(scorer.profile.data, findings, report.dimensions)
        return report.model_copy(update={
            "findings": findings, "score": score.total, "passed": score.passed, "vetoed": score.vetoed,
            "dimensions": score.dimensions, "deductions": score.deductions})


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


def score_record(scorer: Scorer, record: Record, serialize: bool) -> tuple:
    """Validate and score one record; returns a picklable outcome (``("ok", report or its JSON,
    summary)`` or ``("error", reason, field, line)``): the one scoring step of every engine."""
    record = record.validated()
    if record.error is not None:
        e = record.error
        return ("error", e.reason, e.field, e.line or record.line)
    try:
        report = scorer.score(record.transcript)
    except InputError as exc:  # a transcript naming a profile it may not choose
        return ("error", exc.reason, exc.field, record.line)
    except ScriptcheckError as exc:  # e.g. a packaged profile that fails to load
        return ("error", str(exc), "profile", record.line)
    summary = _summary(report)
    return ("ok", report.model_dump_json() if serialize else report, summary)


def scored_from(record: Record, outcome: tuple) -> Scored:
    """The :class:`Scored` of ``record`` from the outcome :func:`score_record` gave (a scored
    outcome whose report was already rendered carries ``None`` for it: only the summary)."""
    if outcome[0] == "error":
        _, reason, field_name, line = outcome
        return Scored(record._without_raw(error=InputError(reason, file=record.source, line=line,
                                                           field=field_name)))
    _, payload, summary = outcome
    if payload is None:
        return Scored(record._without_raw(), summary=summary)
    if isinstance(payload, str):
        return Scored(record._without_raw(), report_json=payload, summary=summary)
    return Scored(record._without_raw(), report=payload, summary=summary)


class ScoredChunk(NamedTuple):
    """Consecutive records of a batch, in input order: a :class:`Scored` each, and with a
    ``render`` function (:func:`score_chunks`) ``text``, the rendered reports of the scored
    ones, in order — made where they were scored, so a worker's reports cross the pipe once,
    as the output's own text, and the parent only writes it (their ``Scored`` then carry just
    the summary). ``text`` is ``None`` without ``render``: then each scored record carries its
    report (or its JSON)."""

    scored: list[Scored]
    text: str | bytes | None = None


def score_chunk(scorer: Scorer, records: list[Record], render: Render | None) -> tuple[list[tuple], str | bytes | None]:
    """Score records as a worker does: the outcome of each (:func:`score_record`), and with
    ``render`` the text of the scored ones' reports (their outcomes then carry ``None``
    instead of the report: it is in the text); without, each report's JSON."""
    if render is None:
        return [score_record(scorer, record, serialize=True) for record in records], None
    outcomes = [score_record(scorer, record, serialize=False) for record in records]
    text = render([o[1] for o in outcomes if o[0] == "ok"])
    return [("ok", None, o[2]) if o[0] == "ok" else o for o in outcomes], text


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _CpuProbe:
    """How much of this process's CPUs other processes use, measured over a stretch of this
    process's own work (``/proc/stat``'s busy time of those CPUs less this process's CPU time,
    from its making to :meth:`workers`).

    An average over the lead (about half a second of scoring) rather than a count of the
    tasks runnable at one instant (:func:`_busy_cpus`): another session's job that sleeps,
    reads or writes in bursts is runnable at one look and not at the next, and a wrong look
    forks workers onto a busy machine (slower than one process), or none onto an idle one.
    """

    # Shorter than this, the clock's ticks (10 ms) make the share too coarse: look at the tasks.
    _MIN_WINDOW = 0.1

    def __init__(self) -> None:
        self._cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        self._start = (time.monotonic(), self._busy_ticks(), self._own())

    @staticmethod
    def _own() -> float:
        times = os.times()
        return times.user + times.system

    def _busy_ticks(self) -> int | None:
        """Busy clock ticks of this process's CPUs since boot (user, nice, system, irq,
        softirq and steal: time the hypervisor gave another machine is not ours either)."""
        try:
            with open("/proc/stat", encoding="ascii") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return None
        wanted = None if self._cpus is None else {f"cpu{n}" for n in self._cpus}
        total = 0
        found = 0
        for line in lines:
            if not line.startswith("cpu") or line.startswith("cpu "):
                continue
            fields = line.split()
            if wanted is not None and fields[0] not in wanted:
                continue
            try:
                user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
            except ValueError:
                return None
            total += user + nice + system + irq + softirq + steal
            found += 1
        return total if found else None

    def others(self) -> float | None:
        """CPUs other processes kept busy on average since the probe was made; ``None`` when
        that cannot be measured (no ``/proc/stat``, or too short a stretch)."""
        start, ticks, own = self._start
        elapsed = time.monotonic() - start
        now = self._busy_ticks()
        if ticks is None or now is None or elapsed < self._MIN_WINDOW:
            return None
        busy = (now - ticks) / os.sysconf("SC_CLK_TCK")
        return max(0.0, (busy - (self._own() - own)) / elapsed)

    # A CPU counts as taken when others used this much of it or more. With a share u of a CPU
    # taken, two workers get 2 - u CPUs against one process's 1 (the scheduler shares CPU time
    # between sessions), and their overhead (~10% more CPU, the parent's part) eats the gain
    # from about u = 0.9.
    _TAKEN = 0.8

    def workers(self, ceiling: int) -> int:
        """Worker processes to start, at most ``ceiling``: one per CPU the others left free."""
        others = self.others()
        if others is None:
            free = _cpus() - _busy_cpus(_cpus())
        else:
            free = _cpus() - int(others + 1 - self._TAKEN)
        return max(1, min(ceiling, free))


def worker_count(jobs: int, records: int | None = None) -> int:
    """How many worker processes ``jobs`` asks for: ``0`` (auto) means one per CPU that is not
    already busy (the CPUs this process may run on, less those other processes are running on
    right now, so a shared machine does not get more processes than it has room for); an
    explicit count is capped at the CPUs (but an explicit ``jobs >= 2`` keeps at least two,
    so a one-CPU machine still runs the parallel path it was asked for), and at the chunks
    there are to score when the number of records is known. ``jobs`` below 0 is a
    :class:`ValueError`."""
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (one per CPU) or more, not {jobs}")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = min(jobs, max(cpus, 2)) if jobs else max(1, cpus - _busy_cpus(cpus))
    if records is not None:
        count = min(count, max(1, -(-records // _CHUNK)))
    return max(1, count)


def _busy_cpus(cpus: int) -> int:
    """CPUs other processes keep busy right now: the runnable tasks of ``/proc/loadavg`` less
    this process, the median of three looks 5 ms apart. Not the load *average*: it lags by a
    minute, so a batch run right after another would count the last one's work as a stranger's
    and start no workers. Where ``/proc`` is missing, the 1-minute load average rounded down."""
    samples = []
    for i in range(3):
        try:
            with open("/proc/loadavg", encoding="ascii") as fh:
                running = int(fh.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            break
        samples.append(running - 1)  # this process is one of them
        if i < 2:
            time.sleep(0.005)
    if len(samples) == 3:
        busy = sorted(samples)[1]
    else:
        try:
            busy = int(os.getloadavg()[0])
        except (AttributeError, OSError):
            return 0
    return max(0, min(cpus, busy))


# -- the worker side -----------------------------------------------------------------------------

def _worker_main(conn, scorer: Scorer, render: Render | None = None, parents_ends=()) -> None:
    """A worker's life: score (and with ``render``, render) the chunks it is sent until it is
    sent ``None`` or the parent is gone. ``parents_ends`` are the parent's ends of the pipes
    that a forked worker inherited: closed first, so the parent's end is the only one."""
    # Ctrl-C reaches the whole process group: only the parent acts on it (it terminates us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    for end in parents_ends:
        end.close()
    built = scorer.loaded
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_receive_tasks, args=(conn, tasks), daemon=True).start()
    try:
        while True:
            task = tasks.get()
            if task is None:  # the end of the batch, or the parent is gone
                save_prefilters()  # what this worker worked out after the fork (see prefilter_cache)
                return
            seq, records = task
            try:
                result = score_chunk(scorer, records, render)
            except Exception:  # a bug, not bad input: report it in one piece, not a traceback on stderr
                conn.send((seq, "crash", traceback.format_exc(limit=-3)))
                return
            conn.send((seq, "ok", result))
            if scorer.loaded != built:
                # The new scorer lives as long as this worker: move it out of the collector's
                # generations so full collections stop re-walking it. This worker's process is the
                # batch's own, so process-wide GC state is ours to change here.
                built = scorer.loaded
                gc.collect()
                gc.freeze()
    except (BrokenPipeError, EOFError):  # the parent stopped listening: just end
        return


def _receive_tasks(conn, tasks: queue.SimpleQueue) -> None:
    """A worker's reading thread: move the chunks the parent sends into ``tasks`` as they come
    (``None`` last), so the parent's sending never waits for the worker to finish a chunk."""
    try:
        while True:
            task = conn.recv()
            tasks.put(task)
            if task is None:
                return
    except (EOFError, OSError):
        tasks.put(None)


# -- the parent side -------------------------------------------------------------------------------

class _Worker:
    __slots__ = ("process", "conn", "queued")

    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.queued: deque[int] = deque()  # the chunks it holds, in the order it returns them


_STOPPED = "the batch was stopped (the records written so far are complete)"


def _describe_exit(process) -> str:
    code = process.exitcode
    if code is None:
        return "stopped responding"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


class _Supervisor:
    """Runs ``jobs`` worker processes for one batch and stops them all when it ends."""

    def __init__(self, scorer: Scorer, jobs: int, render: Render | None = None) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        # Forked workers inherit the scorers the parent already compiled (copy-on-write), so
        # no worker pays for loading lexicons again.
        self.context = multiprocessing.get_context(method)
        self.scorer = scorer
        self.render = render
        self.jobs = jobs
        self.workers: list[_Worker] = []

    def start_worker(self) -> _Worker:
        """Start one more worker. Workers start only when there is a chunk for them, so a
        batch of 24 transcripts never forks 1,000 processes whatever ``--jobs`` says."""
        # Block SIGINT while starting it: a Ctrl-C landing between fork and the worker's own
        # SIG_IGN would run the parent's handler in the child (a traceback per worker).
        masked = hasattr(signal, "pthread_sigmask")
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if masked else None
        try:
            parent_end, child_end = self.context.Pipe(duplex=True)
            # A forked child inherits this process's end of its own pipe and of every earlier
            # worker's: it closes them, else a parent killed outright leaves its pipes open in
            # the workers, which never see the end of their input and live on. (Under spawn
            # nothing is inherited, and connections must not be pickled.)
            forked = self.context.get_start_method() == "fork"
            parents_ends = [parent_end, *(w.conn for w in self.workers)] if forked else []
            process = self.context.Process(target=_worker_main, daemon=True,
                                           args=(child_end, self.scorer, self.render, parents_ends))
            try:
                process.start()
            finally:
                child_end.close()
            worker = _Worker(process, parent_end)
            self.workers.append(worker)
            return worker
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def ready(self, wanted: int) -> list[_Worker]:
        """The workers to give the next ``wanted`` chunks to, in order (one may come twice):
        the least loaded first, a new worker (up to ``jobs``) rather than a second chunk for
        a busy one, and none holding ``_DEPTH`` chunks already."""
        load = {w: len(w.queued) for w in self.workers}
        picks: list[_Worker] = []
        for _ in range(wanted):
            worker = min(load, key=load.__getitem__, default=None)
            if (worker is None or load[worker]) and len(self.workers) < self.jobs:
                worker = self.start_worker()
                load[worker] = 0
            elif worker is None or load[worker] >= _DEPTH:
                break
            picks.append(worker)
            load[worker] += 1
        return picks

    def send(self, worker: _Worker, seq: int, records: list[Record]) -> None:
        """Give a worker a chunk (its reading thread takes it at once, so this never blocks
        for long)."""
        try:
            worker.conn.send((seq, records))
        except (BrokenPipeError, ConnectionResetError, EOFError):
            self._failed(worker)
            worker.process.join(1)
            raise WorkerDied(f"worker process {worker.process.pid} {_describe_exit(worker.process)}; "
                             f"{_STOPPED}") from None
        worker.queued.append(seq)

    @staticmethod
    def _failed(worker: _Worker) -> None:
        """Raise the report a worker that crashed sent before it ended, if there is one."""
        try:
            if not worker.conn.poll(0):
                return
            _, status, payload = worker.conn.recv()
        except (EOFError, OSError):
            return
        if status != "ok":
            lines = payload.strip().splitlines()
            raise WorkerDied(f"worker process {worker.process.pid} failed: "
                             f"{lines[-1] if lines else 'unknown error'}; {_STOPPED}") from None

    def receive(self) -> list[tuple[int, tuple[list[tuple], str | None]]]:
        """Wait for at least one busy worker's results; :class:`WorkerDied` if any worker ends
        (they end only when told to, so an ending while the batch runs is a death)."""
        by_handle: dict = {w.process.sentinel: w for w in self.workers}
        by_handle.update({w.conn: w for w in self.workers if w.queued})
        results = []
        dead = None
        for handle in wait_any(list(by_handle)):
            worker = by_handle[handle]
            if handle is not worker.conn:
                dead = worker
                continue
            try:
                seq, status, payload = worker.conn.recv()
            except (EOFError, OSError):  # died while (or before) sending its results
                dead = worker
                continue
            if status != "ok":
                lines = payload.strip().splitlines()
                raise WorkerDied(f"worker process {worker.process.pid} failed: "
                                 f"{lines[-1] if lines else 'unknown error'}; {_STOPPED}")
            worker.queued.popleft()
            results.append((seq, payload))
        if dead is not None:
            dead.process.join(1)
            raise WorkerDied(f"worker process {dead.process.pid} {_describe_exit(dead.process)}; {_STOPPED}")
        return results

    def finish(self) -> None:
        """Ask every worker to end and wait for them (a normal end of the batch)."""
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in self.workers:
            w.process.join(5)
        self.stop()

    def stop(self) -> None:
        """Terminate every worker still running, at once, and release the pipes."""
        for w in self.workers:
            if w.process.is_alive():
                w.process.terminate()
        for w in self.workers:
            w.process.join(2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(2)
            w.conn.close()
        self.workers = []


def score_records(records: Iterable[Record], scorer: Scorer, jobs: int = 1,
                  chunk_size: int | None = None, lead: int | None = None, *,
                  large: bool = False) -> Iterator[Scored]:
    """Score a stream of records, yielding a :class:`Scored` per record in input order (each
    scored one with its report, or the report's JSON when a worker scored it): the records of
    :func:`score_chunks` without ``render``."""
    for chunk in score_chunks(records, scorer, jobs, chunk_size=chunk_size, lead=lead, large=large):
        yield from chunk.scored


def score_chunks(records: Iterable[Record], scorer: Scorer, jobs: int = 1, render: Render | None = None, *,
                 chunk_size: int | None = None, lead: int | None = None,
                 large: bool = False) -> Iterator[ScoredChunk]:
    """Score a stream of records, yielding :class:`ScoredChunk`\\ s that hold every record once,
    in input order; with ``render`` (the output format's ``render_many``) each chunk also
    holds the text of its reports.

    With ``jobs > 1`` validation, scoring and rendering happen in worker processes (each with
    scorers built once); this process only reads records, writes text and counts, so it does
    not compete with the workers for the CPUs. A worker that dies ends the batch with
    :class:`WorkerDied`; closing the generator early (or an exception, Ctrl-C included, in
    the consumer) terminates every worker at once.

    The first ``lead`` records (default ``_IN_PROCESS_LEAD``) are scored in this process, one
    record per chunk, and workers start only if at least ``_PARALLEL_MIN_REST`` more follow:
    a small batch is never slower for asking for more jobs. ``lead=0`` goes to the workers at
    once. ``chunk_size`` is the records per chunk sent to a worker (default ``_CHUNK``).
    ``large`` says the caller knows the batch is large (the CLI: input files of at least
    ``cli_score._PARALLEL_BYTES``): then the lead is ``_LARGE_LEAD`` records (unless ``lead``
    is given) and nothing is read ahead to find out whether enough records follow; the batch
    goes to workers (``auto``: if the probe finds the CPUs free) as soon as the lead is scored.

    ``jobs=0`` (auto) decides when the lead is done, from what other processes used of this
    process's CPUs while it scored the lead (:class:`_CpuProbe`): one worker per CPU they
    left free, and none (the rest scored here) when less than two are free — on a machine
    other sessions keep busy, a fair-share scheduler gives this one the same CPU time
    however many processes it runs, and the workers' overhead would make it slower.
    """
    try:
        yield from _score_chunks(records, scorer, jobs, render, chunk_size, lead, large)
    finally:
        save_prefilters()  # for the next run (and its workers): see match.prefilter_cache


def _score_chunks(records: Iterable[Record], scorer: Scorer, jobs: int, render: Render | None,
                  chunk_size: int | None, lead: int | None, large: bool) -> Iterator[ScoredChunk]:
    probe = None
    if jobs == 0:  # auto: up to one worker per CPU, the count settled once the lead is scored
        jobs = _cpus()
        probe = _CpuProbe() if jobs > 1 else None
    elif jobs > 1:
        # Never more processes than CPUs (a library caller's jobs=1000 included); workers
        # start only when there is a chunk for them.
        jobs = worker_count(jobs)
    records = iter(records)
    # Every batch starts in this process; only one that outlasts the lead goes to workers
    # (the lead is yielded first, so the output keeps input order).
    if jobs <= 1:
        lead = None
    elif lead is None:
        lead = _LARGE_LEAD if large else _IN_PROCESS_LEAD
    # Records that must follow the lead for workers to start (one, the first of the rest, when
    # the batch is known to be large).
    rest = 1 if large else _PARALLEL_MIN_REST
    ahead: list[Record] = []
    if lead != 0:
        for count, record in enumerate(records, start=1):
            if lead is not None and count > lead:
                ahead.append(record)  # read ahead: are there enough left to go parallel?
                if len(ahead) >= rest:
                    break
            else:
                yield _score_here(scorer, record, render)
        else:  # the input ended first: whatever was read ahead is scored here too
            for record in ahead:
                yield _score_here(scorer, record, render)
            return
    if probe is not None:
        jobs = probe.workers(jobs)
        if jobs <= 1:  # the machine is busy: workers would only add their overhead
            for record in chain(ahead, records):
                yield _score_here(scorer, record, render)
            return
    yield from _score_in_workers(chain(ahead, records), scorer, jobs, chunk_size or _CHUNK, render)


def _score_here(scorer: Scorer, record: Record, render: Render | None) -> ScoredChunk:
    """One record scored in this process, as a chunk of its own (streamed as it comes)."""
    if record.error is not None:
        return ScoredChunk([Scored(record)], "" if render is not None else None)
    scored = scored_from(record, score_record(scorer, record, serialize=False))
    if render is None:
        return ScoredChunk([scored])
    return ScoredChunk([scored], render([scored.report]) if scored.report is not None else "")


def _score_in_workers(records: Iterator[Record], scorer: Scorer, jobs: int, chunk_size: int,
                      render: Render | None) -> Iterator[ScoredChunk]:
    """The rest of :func:`score_chunks` when it goes parallel: ``records`` scored by ``jobs``
    worker processes, yielded in input order."""

    def resolve(chunk: list[Record], result: tuple[list[tuple], str | None]) -> ScoredChunk:
        outcomes, text = result
        it = iter(outcomes)
        return ScoredChunk([Scored(record) if record.error is not None else scored_from(record, next(it))
                            for record in chunk], text)

    supervisor = _Supervisor(scorer, jobs, render)
    finished = False
    nothing = ([], "" if render is not None else None)  # the result of a chunk of read errors only
    try:
        chunks = enumerate(_chunks(records, chunk_size))
        waiting: deque = deque()  # (seq, records to score) not yet given to a worker
        pending: dict[int, list[Record]] = {}  # seq → chunk, until yielded
        done: dict[int, tuple] = {}  # seq → (outcomes, text), until yielded
        next_seq = 0  # the next chunk to yield: output keeps input order
        exhausted = False
        while True:
            # Read ahead at most (_DEPTH + 1) × jobs chunks (flat memory): every worker holds
            # _DEPTH, and one more each is ready to go when a chunk comes back out of order.
            while not exhausted and len(pending) < (_DEPTH + 1) * jobs:
                try:
                    seq, chunk = next(chunks)
                except StopIteration:
                    exhausted = True
                    break
                pending[seq] = chunk
                work = [r for r in chunk if r.error is None]
                if work:
                    waiting.append((seq, work))
                else:  # only read errors: nothing to score
                    done[seq] = nothing
            for worker in supervisor.ready(len(waiting)):
                supervisor.send(worker, *waiting.popleft())
            if next_seq in done:
                while next_seq in done:
                    yield resolve(pending.pop(next_seq), done.pop(next_seq))
                    next_seq += 1
                continue  # room to read ahead again
            if exhausted and not pending:
                break
            # Something is pending and not done, and every chunk read is with a worker (or
            # every worker holds _DEPTH): at least one worker is busy.
            for seq, result in supervisor.receive():
                done[seq] = result
        finished = True
    finally:
        if finished:
            supervisor.finish()
        else:
            supervisor.stop()


def score_transcripts(transcripts: Iterable[Transcript], profile: str | None = None, *,
                      default_profile: str = "hotline", jobs: int = 1, large: bool = False) -> Iterator[Report]:
    """Python API for batches: score transcripts (in ``jobs`` processes; 0: as many as the
    machine has CPUs free, see :func:`score_chunks`), in input order. ``large``: the caller
    knows the batch is large, so workers start after a short lead (:func:`score_chunks`)."""
    scorer = Scorer(profile, default_profile)
    records = (Record("<api>", i + 1, transcript=t) for i, t in enumerate(transcripts))
    for scored in score_records(records, scorer, jobs, large=large):
        if scored.record.error is not None:
            raise ScriptcheckError(scored.record.error.describe())
        yield scored.get_report()
