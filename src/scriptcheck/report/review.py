"""Reviewers' verdicts → per-rule precision and a lexicon overlay.

The report page exports one JSON object a line: ``{"id", "turn", "rule", "start", "end",
"text", "verdict": "confirmed"|"false_alarm", "note", "reviewer"}`` (plus ``context``, the
turn's text, when the page had the transcripts). Precision of a rule is confirmed / reviewed.
The overlay (see ``scriptcheck.lexicon.overlay``) turns each false alarm into an allow context
and a ``no_match`` spec of its entry and each confirmed finding into a ``match`` spec; the
context is the finding with a few characters of its sentence on either side, so the allow
context silences that wording, not the rule.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from scriptcheck.errors import InputError, LexiconError
from scriptcheck.lexicon.loader import load_lexicon
from scriptcheck.lexicon.overlay import TONE_RULE, OverlayEntry, OverlayFile, apply_overlay
from scriptcheck.lexicon.schema import Specs
from scriptcheck.lexicon.specs import run_specs
from scriptcheck.report.data import jsonl_records

__all__ = ["Verdict", "read_verdicts", "iter_verdicts", "latest_verdicts", "precision_table", "render_precision",
           "context_window", "Overlay", "build_overlay", "VERDICTS"]

VERDICTS = ("confirmed", "false_alarm")
# A context never reaches past the end of its sentence: the next sentence is another utterance.
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


@dataclass(frozen=True)
class Verdict:
    """One reviewer's verdict on one finding."""

    id: str
    turn: int | None
    rule: str
    start: int | None
    end: int | None
    text: str
    verdict: str
    note: str = ""
    reviewer: str = ""
    context: str | None = None

    @property
    def key(self) -> tuple:
        """The finding it is about, and who judged it."""
        return (self.id, self.turn, self.rule, self.start, self.end, self.reviewer)


def read_verdicts(sources: Iterable[str], skipped: list[InputError] | None = None) -> list[Verdict]:
    """Every verdict of the JSONL files (:func:`iter_verdicts`), a later verdict on the same
    finding by the same reviewer replacing the earlier one (:func:`latest_verdicts`)."""
    return latest_verdicts(iter_verdicts(sources, skipped))


def latest_verdicts(verdicts: Iterable[Verdict]) -> list[Verdict]:
    """The verdicts, a later one on the same finding by the same reviewer replacing the earlier one."""
    return list({verdict.key: verdict for verdict in verdicts}.values())


def iter_verdicts(sources: Iterable[str], skipped: list[InputError] | None = None) -> Iterator[Verdict]:
    """The verdict of every line of the JSONL files, in order. A line that is no verdict (not
    UTF-8, not JSON, a field missing or of the wrong type) raises :class:`InputError` (file,
    line, field) — or, with ``skipped``, is appended to it and left out, and the reading goes
    on. A file that cannot be read (a directory, a device, missing) always raises."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            raise InputError("is a directory (verdicts are JSONL files)", file=source)
        if path.exists() and not path.is_file():  # a pipe or a device would block or never end
            raise InputError("not a regular file (a pipe, socket or device): refused", file=source)
        for number, doc in jsonl_records(source):
            try:
                verdict = _verdict(doc, source, number)
            except InputError as exc:
                if skipped is None:
                    raise
                skipped.append(exc)
                continue
            yield verdict


def _verdict(doc, source: str, number: int) -> Verdict:
    """The verdict of one line's value; :class:`InputError` naming the line and field when it is none."""
    if isinstance(doc, InputError):  # the line is not UTF-8 or not JSON
        raise doc
    if not isinstance(doc, dict):
        raise InputError("expected a JSON object", file=source, line=number)
    for name in ("id", "rule", "verdict"):
        if not isinstance(doc.get(name), str):
            raise InputError("missing or not a string", file=source, line=number, field=name)
    if doc["verdict"] not in VERDICTS:
        raise InputError(f"{doc['verdict']!r} is not one of {', '.join(VERDICTS)}", file=source,
                         line=number, field="verdict")
    for name in ("turn", "start", "end"):
        value = doc.get(name)
        if value is not None and (type(value) is not int or value < 0):
            raise InputError("not a non-negative integer", file=source, line=number, field=name)
    return Verdict(id=doc["id"], turn=doc.get("turn"), rule=doc["rule"], start=doc.get("start"),
                   end=doc.get("end"), text=str(doc.get("text") or ""), verdict=doc["verdict"],
                   note=str(doc.get("note") or ""), reviewer=str(doc.get("reviewer") or ""),
                   context=doc.get("context") if isinstance(doc.get("context"), str) else None)


def precision_table(verdicts: list[Verdict], *, min_verdicts: int = 1, top: int = 10) -> dict:
    """Per rule: confirmed, false alarms, precision; and the rules most in need of attention
    (lowest precision first, then most false alarms) among those with ``min_verdicts``."""
    per_rule: dict[str, list[int]] = {}
    for v in verdicts:
        counts = per_rule.setdefault(v.rule, [0, 0])
        counts[0 if v.verdict == "confirmed" else 1] += 1
    rules = [{"rule": rule, "confirmed": c, "false_alarm": f, "reviewed": c + f, "precision": round(c / (c + f), 4)}
             for rule, (c, f) in sorted(per_rule.items())]
    attention = sorted((r for r in rules if r["reviewed"] >= min_verdicts and r["false_alarm"]),
                       key=lambda r: (r["precision"], -r["false_alarm"], r["rule"]))[:top]
    confirmed = sum(r["confirmed"] for r in rules)
    reviewed = sum(r["reviewed"] for r in rules)
    return {"verdicts": reviewed, "confirmed": confirmed, "false_alarm": reviewed - confirmed,
            "precision": round(confirmed / reviewed, 4) if reviewed else None,
            "rules": rules, "attention": [r["rule"] for r in attention]}


def render_precision(table: dict) -> str:
    """The precision table as text."""
    lines = [f"{'rule':<7} {'confirmed':>9} {'false alarm':>11} {'precision':>9}"]
    for r in table["rules"]:
        lines.append(f"{r['rule']:<7} {r['confirmed']:>9} {r['false_alarm']:>11} {r['precision']:>9.0%}")
    overall = "–" if table["precision"] is None else f"{table['precision']:.0%}"
    lines.append(f"{table['verdicts']} verdicts, {table['false_alarm']} false alarms, precision {overall}")
    if table["attention"]:
        lines.append("most in need of attention: " + ", ".join(table["attention"]))
    return "\n".join(lines)


def context_window(text: str, start: int, end: int, reach: int = 6) -> str:
    """The finding ``text[start:end]`` with up to ``reach`` characters on either side, never
    past the end of its sentence (nor the start of the next)."""
    left = max(0, start - reach)
    before = text[left:start]
    cut = None
    for m in _SENTENCE_END.finditer(before):
        cut = m.end()
    if cut is not None:
        left += cut
    right = min(len(text), end + reach)
    m = _SENTENCE_END.search(text, end, right)
    if m:
        right = m.start()
    return text[left:right].strip()


@dataclass
class Overlay:
    """An overlay built from verdicts, with what could not go into it and why."""

    model: OverlayFile
    skipped: list[tuple[Verdict, str]] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts and skipped verdicts, as plain data."""
        return {"extends": self.model.extends, "entries": len(self.model.entries),
                "allow": sum(len(e.allow) for e in self.model.entries),
                "match": sum(len(e.specs.match) for e in self.model.entries),
                "no_match": sum(len(e.specs.no_match) for e in self.model.entries),
                "skipped": [{"id": v.id, "rule": v.rule, "text": v.text, "reason": why} for v, why in self.skipped]}

    def describe(self) -> str:
        """One paragraph for the terminal."""
        s = self.summary()
        lines = [f"overlay on {s['extends']}: {s['entries']} entries, {s['allow']} allow contexts, "
                 f"{s['match']} match and {s['no_match']} no_match specs"]
        lines += [f"  skipped {k['rule']} {k['id']} {k['text']!r}: {k['reason']}" for k in s["skipped"]]
        return "\n".join(lines)

    def write(self, path: str | Path) -> None:
        """Write the overlay as YAML."""
        import yaml

        data = self.model.model_dump(mode="json", exclude_defaults=True)
        data = {"version": 1, **data}
        # Encoded before the file is opened: nothing that cannot be written leaves it empty.
        text = ("# Written by `scriptcheck review`: reviewers' verdicts as allow contexts and specs.\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        try:
            content = text.encode("utf-8")
        except UnicodeEncodeError:  # a base lexicon's file name that is not UTF-8
            raise LexiconError(f"{path}: the overlay holds text that is not valid Unicode "
                               f"(extends: {self.model.extends!r})") from None
        Path(path).write_bytes(content)


def build_overlay(verdicts: list[Verdict], *, extends: str = "forbidden", out_path: str | Path | None = None,
                  turns: dict[str, list[tuple[str, str]]] | None = None) -> Overlay:
    """The overlay for the verdicts on entries of the ``extends`` lexicon.

    Verdicts on other rules (steps, 您/你, privacy …) cannot be expressed in a lexicon and are
    skipped with a reason, as are findings without a context to tell them apart from the rule's
    true hits, and additions whose specs would fail (a confirmed wording inside an allowed one).
    ``turns`` (``id → [(speaker, text)]``) supplies the turn text when a verdict has no context.
    """
    base = load_lexicon(extends, verify=False)
    base_ref = extends
    if out_path is not None and ("/" in extends or extends.endswith((".yaml", ".yml"))):
        # The overlay names its base relative to where it is written.
        try:
            base_ref = str(Path(extends).resolve())
        except (OSError, RuntimeError):  # a symbolic link loop (the base loaded, so unlikely)
            base_ref = os.path.abspath(extends)
    codes = {e.id for e in base.entries}
    if base.kind == "forbidden":  # the tone model's findings: its overlay entry allows reviewed texts
        codes.add(TONE_RULE)
    additions: dict[str, dict[str, list[str]]] = {}
    origin: dict[tuple[str, str, str], Verdict] = {}
    skipped: list[tuple[Verdict, str]] = []
    for v in sorted(verdicts, key=lambda v: (v.rule, v.id, v.turn or 0, v.start or 0)):
        if v.rule not in codes:
            skipped.append((v, f"not an entry of lexicon {base.name!r}"))
            continue
        turn_text = v.context
        if turn_text is None and turns is not None and v.turn is not None:
            convo = turns.get(v.id) or []
            turn_text = convo[v.turn][1] if v.turn < len(convo) else None
        if turn_text is None or v.start is None or v.end is None or turn_text[v.start:v.end] != v.text:
            skipped.append((v, "no turn text (export from a report made with --transcripts, or pass --transcripts)"))
            continue
        window = context_window(turn_text, v.start, v.end)
        slot = additions.setdefault(v.rule, {"allow": [], "match": [], "no_match": []})
        if v.verdict == "false_alarm":
            # A tone finding is its whole sentence, and allowing that sentence allows only it.
            if window == v.text.strip() and v.rule != TONE_RULE:
                skipped.append((v, "no context around the finding: allowing it would silence the rule"))
                continue
            for kind in ("allow", "no_match"):
                if window not in slot[kind]:
                    slot[kind].append(window)
                    origin[(v.rule, kind, window)] = v
        elif window not in slot["match"]:
            slot["match"].append(window)
            origin[(v.rule, "match", window)] = v
    # Drop additions whose specs fail against the base, until the overlay passes its own test.
    for _ in range(5):
        model = _model(base_ref, additions)
        failures = [r for r in run_specs(apply_overlay(base, model, "<overlay>")) if not r.ok]
        failing = {(r.rule, r.expect, r.text) for r in failures}
        removable = [key for key in failing if key in origin]
        if not failures:
            break
        if not removable:
            raise LexiconError("the base lexicon's own specs fail: " + "; ".join(f"{r.rule} {r.text!r}" for r in failures))
        for rule, kind, text in removable:
            verdict = origin.pop((rule, kind, text))
            slot = additions[rule]
            slot[kind].remove(text)
            if kind == "no_match":  # the allow context goes with it
                if text in slot["allow"]:
                    slot["allow"].remove(text)
                origin.pop((rule, "allow", text), None)
            skipped.append((verdict, f"its {kind} spec {text!r} would fail (another verdict contradicts it)"))
    return Overlay(_model(base_ref, additions), skipped)


def _model(extends: str, additions: dict[str, dict[str, list[str]]]) -> OverlayFile:
    entries = [OverlayEntry(id=rule, allow=list(a["allow"]),
                            specs=Specs(match=list(a["match"]), no_match=list(a["no_match"])))
               for rule, a in sorted(additions.items()) if a["allow"] or a["match"] or a["no_match"]]
    return OverlayFile(version=1, extends=extends, name="reviewed", entries=entries)
