"""Long and strange single utterances: cost must grow linearly with length.

For each kind of pathological text, `check` and `score` run at 25k, 100k and 400k characters;
a 4x longer text should cost about 4x (the ratios printed), never 16x.

Template placeholders (``--placeholders``): ``scan_placeholders`` on delimiters an attacker's
template repeats (a quadratic scan here would stall ``scriptcheck lint`` on one file), at the
same sizes and ratios.

The cost of a finding (``--findings``): one turn of a taboo repeated thousands of times (an
attacker's 60 KB turn of 你笨 is 30,000 findings), timed against a clean text of the same
length in the same run: how much each finding adds, as a ratio to the clean text's whole
check and as the number of clean characters one finding costs.

    python benchmarks/bench_long_input.py             # all three
    python benchmarks/bench_long_input.py --findings  # the cost of a finding only
    python benchmarks/bench_long_input.py --placeholders  # the placeholder scan only
"""

from __future__ import annotations

import argparse
import random
import time

from scriptcheck import Checker, Transcript
from scriptcheck.text.placeholders import scan_placeholders

UNITS = {
    "taboo repeated": "你怎么连这都不懂",
    "service phrases repeated": "您好请问还有什么可以帮您",
    "bare 你 (one huge jieba block)": "你",
    "pronoun look-alikes": "你们好啊迷你",
    "separators and emoji": "滚 😀 ",
    # commas are no sentence end and normalised text drops them: one sentence, one block of 100,000
    # characters whose words the tone model's turn stage asks for (jieba's HMM is quadratic in it)
    "comma-joined (turn stage words)": "这双不给试，",
    # one run of Latin letters after a digit: the tone model's English-sentence check searched it
    # from every position inside the run (quadratic until s57)
    "Latin run after a digit": ("1", "ab"),
}
SIZES = (25_000, 100_000, 400_000)

# (label, unit, repeats) for the cost of a finding. 你笨 run together is one jieba block, cut in
# windows around each hit; the others give clauses, sentences, a report's verb in reach, and
# a long block whose windows never repeat (seeded random filler between the hits).
_FILLER = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
FINDING_CASES = [
    ("你笨 x5,000 (one block)", "你笨", 5_000),
    ("你笨 x30,000 (one block, 60 KB)", "你笨", 30_000),
    ("你笨， x20,000 (clauses)", "你笨，", 20_000),
    ("你真笨。 x15,000 (sentences)", "你真笨。", 15_000),
    ("我说你笨你笨你笨 x5,000 (verbs near)", "我说你笨你笨你笨", 5_000),
    ("你笨+random x3,000 (one block)", None, 3_000),
]
CLEAN_UNIT = "您好请问还有什么可以帮您"

# Delimiter runs with no well-formed placeholder in them: every position starts an attempt.
PLACEHOLDER_UNITS = {"{": "{", "%(": "%(", "a}": "a}", "$a": "$a", "{{x": "{{x", "[a": "[a"}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _finding_text(unit: str | None, repeats: int) -> str:
    if unit is not None:
        return unit * repeats
    rnd = random.Random(1)
    return "".join("你笨" + rnd.choice(_FILLER) + rnd.choice(_FILLER) for _ in range(repeats))


def findings_cost(checker: Checker) -> None:
    """Print, per hostile text, its findings, the time of ``check`` on it and on a clean text of
    the same length (best of three each), and what a finding costs: the difference per
    finding, that as a ratio to the clean text's time, and in clean characters."""
    print(f"{'text':<34} {'findings':>8} {'check':>8} {'clean':>7} {'x clean':>8} "
          f"{'µs/finding':>10} {'clean chars/finding':>20}")
    for label, unit, repeats in FINDING_CASES:
        text = _finding_text(unit, repeats)
        clean = (CLEAN_UNIT * (len(text) // len(CLEAN_UNIT) + 1))[:len(text)]
        found = len(checker.check(text))
        # A text of its own each time (a clean prefix of 1-3 characters, no finding): what the
        # checks remember of a text must not make the second and third runs the cheap ones.
        hostile_s = min(_timed(lambda t=CLEAN_UNIT[:k] + text: checker.check(t)) for k in (1, 2, 3))
        clean_s = min(_timed(lambda t=CLEAN_UNIT[:k] + clean: checker.check(t)) for k in (1, 2, 3))
        per_finding = (hostile_s - clean_s) / max(found, 1)
        print(f"{label:<34} {found:>8} {hostile_s:>7.2f}s {clean_s:>6.3f}s {hostile_s / clean_s:>7.0f}x "
              f"{per_finding * 1e6:>10.0f} {per_finding / (clean_s / len(text)):>20.0f}")


def placeholder_scaling() -> None:
    """Print the placeholder scan's time at each size and the 400k / 100k ratio (4x is linear)."""
    for label, unit in PLACEHOLDER_UNITS.items():
        times = {}
        for size in SIZES:
            text = (unit * (size // len(unit) + 1))[:size]
            times[size] = min(_timed(lambda t=text: scan_placeholders(t)) for _ in range(3))
        ratio = times[SIZES[2]] / max(times[SIZES[1]], 1e-9)
        print(f"placeholders {label!r:<20} 400k chars: {times[SIZES[2]]:.3f} s; 400k/100k = {ratio:.1f}x")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", action="store_true", help="only the cost of a finding")
    parser.add_argument("--placeholders", action="store_true", help="only the placeholder scan")
    args = parser.parse_args()
    if not args.findings:
        placeholder_scaling()
    if args.placeholders:
        return
    checker = Checker.from_profile("hotline")
    checker.segment("预热")
    checker.check("你笨")
    findings_cost(checker)
    if args.findings:
        return
    for label, unit in UNITS.items():
        times = {}
        prefix, unit = unit if isinstance(unit, tuple) else ("", unit)
        for size in SIZES:
            text = prefix + (unit * (size // len(unit) + 1))[:size - len(prefix)]
            transcript = Transcript.model_validate({"id": "long", "turns": [{"speaker": "agent", "text": text}]})
            times[size] = (_timed(lambda t=text: checker.check(t)),
                           _timed(lambda t=transcript: checker.score(t)))
        check_ratio = times[SIZES[2]][0] / max(times[SIZES[1]][0], 1e-9)
        score_ratio = times[SIZES[2]][1] / max(times[SIZES[1]][1], 1e-9)
        print(f"{label:<32} 400k chars: check {times[SIZES[2]][0]:.2f} s, score {times[SIZES[2]][1]:.2f} s; "
              f"400k/100k = {check_ratio:.1f}x (check), {score_ratio:.1f}x (score)")


if __name__ == "__main__":
    main()
