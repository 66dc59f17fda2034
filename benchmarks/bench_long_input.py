"""Long and strange single utterances: cost must grow linearly with length.

For each kind of pathological text, `check` and `score` run at 25k, 100k and 400k characters;
a 4x longer text should cost about 4x (the ratios printed), never 16x.

    python benchmarks/bench_long_input.py
"""

from __future__ import annotations

import time

from scriptcheck import Checker, Transcript

UNITS = {
    "taboo repeated": "你怎么连这都不懂",
    "service phrases repeated": "您好请问还有什么可以帮您",
    "bare 你 (one huge jieba block)": "你",
    "pronoun look-alikes": "你们好啊迷你",
    "separators and emoji": "滚 😀 ",
}
SIZES = (25_000, 100_000, 400_000)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print its figures."""
    checker = Checker.from_profile("hotline")
    checker.segment("预热")
    for label, unit in UNITS.items():
        times = {}
        for size in SIZES:
            text = (unit * (size // len(unit) + 1))[:size]
            transcript = Transcript.model_validate({"id": "long", "turns": [{"speaker": "agent", "text": text}]})
            times[size] = (_timed(lambda t=text: checker.check(t)),
                           _timed(lambda t=transcript: checker.score(t)))
        check_ratio = times[SIZES[2]][0] / max(times[SIZES[1]][0], 1e-9)
        score_ratio = times[SIZES[2]][1] / max(times[SIZES[1]][1], 1e-9)
        print(f"{label:<32} 400k chars: check {times[SIZES[2]][0]:.2f} s, score {times[SIZES[2]][1]:.2f} s; "
              f"400k/100k = {check_ratio:.1f}x (check), {score_ratio:.1f}x (score)")


if __name__ == "__main__":
    main()
