"""Does rjieba give jieba's results? Tokens of every Chinese text in every corpus at hand, and the
reports of every transcript under every packaged profile, with each backend.

Texts: every string holding a Chinese character in the files under ``corpora/``,
``tests/rule_cases/``, ``tests/golden/``, ``benchmarks/data/`` and the JDDC chats
(``$SCRIPTCHECK_JDDC`` or ``../shared/corpora/jddc_dialogues.jsonl``). Reports: the bundled
transcripts and the JDDC chats under each profile: rjieba (mended by
``scriptcheck/text/rust_segmenter.py``) must give jieba's tokens everywhere.

    python benchmarks/compare_segmenters.py
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_HAN = re.compile("[\u4e00-\u9fff]")


def _strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        if _HAN.search(value):
            out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)


def _texts_of(path: Path) -> list[str]:
    out: list[str] = []
    raw = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        if path.suffix in (".yaml", ".yml"):
            for doc in yaml.safe_load_all(raw):
                _strings(doc, out)
        elif path.suffix == ".json":
            _strings(json.loads(raw), out)
        elif path.suffix == ".jsonl":
            for line in raw.splitlines():
                if line.strip():
                    _strings(json.loads(line), out)
        elif path.suffix == ".csv":
            for row in csv.reader(raw.splitlines()):
                _strings(row, out)
        else:
            out.extend(line for line in raw.splitlines() if _HAN.search(line))
    except (ValueError, yaml.YAMLError):
        out.extend(line for line in raw.splitlines() if _HAN.search(line))
    return out


def _jddc() -> Path | None:
    configured = os.environ.get("SCRIPTCHECK_JDDC")
    candidates = [Path(configured) if configured else None, ROOT.parent / "shared" / "corpora" / "jddc_dialogues.jsonl",
                  Path("/work/shared/corpora/jddc_dialogues.jsonl")]
    for c in candidates:
        if c is not None and c.is_dir():
            c = c / "jddc_dialogues.jsonl"
        if c is not None and c.is_file():
            return c
    return None


def main() -> None:
    """Compare and print the counts."""
    sys.path.insert(0, str(ROOT / "src"))
    from scriptcheck import Checker
    from scriptcheck.io.transcripts import read_transcripts
    from scriptcheck.profile.loader import default_profile_names
    from scriptcheck.text.segment import Segmenter

    files = [p for d in ("corpora", "tests/rule_cases", "tests/golden", "benchmarks/data")
             for p in sorted((ROOT / d).rglob("*")) if p.is_file() and p.suffix in
             (".yaml", ".yml", ".json", ".jsonl", ".csv", ".txt", ".md")]
    jddc = _jddc()
    if jddc is not None:
        files.append(jddc)
    jieba_seg, rust_seg = Segmenter("jieba"), Segmenter("rjieba")
    total_texts = total_diff = 0
    examples: list[tuple[str, list, list]] = []
    for path in files:
        texts = sorted(set(_texts_of(path)))
        diff = 0
        for text in texts:
            a, b = jieba_seg.tokens(text), rust_seg.tokens(text)
            if a != b:
                diff += 1
                if len(examples) < 5:
                    examples.append((text[:60], [t.text for t in a if t not in b][:6],
                                     [t.text for t in b if t not in a][:6]))
        total_texts += len(texts)
        total_diff += diff
        print(f"tokens  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{len(texts)} texts, {diff} segmented differently")
    print(f"tokens  all: {total_texts} distinct texts, {total_diff} segmented differently")
    for text, a, b in examples:
        print(f"  e.g. {text!r}: jieba {a} / rjieba {b}")

    sources = [p for p in sorted((ROOT / "corpora" / "transcripts").rglob("*"))
               if p.is_file() and p.suffix in (".jsonl", ".csv", ".txt", ".json")]
    if jddc is not None:
        sources.append(jddc)
    transcripts = [r.transcript for s in sources for r in read_transcripts(str(s)) if r.transcript is not None]
    differing = 0
    for profile in default_profile_names():
        reports = {}
        for backend in ("jieba", "rjieba"):
            os.environ["SCRIPTCHECK_SEGMENTER"] = backend
            checker = Checker.from_profile(profile)
            reports[backend] = [checker.score(t).model_dump_json() for t in transcripts]
        d = sum(a != b for a, b in zip(reports["jieba"], reports["rjieba"]))
        differing += d
        print(f"reports {profile}: {len(transcripts)} transcripts, {d} differ")
    os.environ.pop("SCRIPTCHECK_SEGMENTER", None)
    print(f"reports all profiles: {differing} differ")


if __name__ == "__main__":
    main()
