"""A realistic synthetic transcript corpus for the benchmarks (deterministic for a seed).

Dialogues are resampled from the real JDDC chats when ``../shared/corpora`` is present, and
otherwise built from the standards' own scripts (004 §三/§四/§六); in both cases a share of
agent turns is replaced by taboos and disguised taboos, so the checker has real work to do.

    python benchmarks/corpus.py --turns 100000 --out /tmp/corpus.jsonl [--encoding gbk]
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path
from typing import Iterator

# $SCRIPTCHECK_JDDC (the corpus file, or a directory holding it), as the test suite reads it.
_JDDC = Path(os.environ.get("SCRIPTCHECK_JDDC") or Path(__file__).resolve().parents[2] / "shared" / "corpora")
JDDC = _JDDC / "jddc_dialogues.jsonl" if _JDDC.is_dir() else _JDDC

SCRIPTS_AGENT = [
    "您好，方标电信，工号{n}为您服务，请问有什么帮到您?", "请您别着急，慢慢讲，我们会尽力帮您解决。",
    "对不起，麻烦您稍等片刻，好吗?", "对不起，让您久等了。", "不知道我刚才是否将您的问题解释清楚了?",
    "我们会将您反映的问题与相关部门联系，请您留下联系电话，我们将尽快给您答复。",
    "请问您还有什么需要帮助?", "感谢您的来电，欢迎再次拨打，再见。", "有什么问题我可以帮您处理或解决呢?",
    "还请您稍等，正在为您查询~", "请问还有其他还可以帮到您的吗?", "感谢您对京东的支持，祝您生活愉快，再见",
    "您的订单已经发货了，预计明天送达。", "这款宝贝是纯棉面料，透气舒适。", "好的，已经为您登记。",
]
SCRIPTS_CUSTOMER = ["我的快递怎么还没到", "宽带连不上了", "我要投诉你们", "好的谢谢", "发票怎么开",
                    "能便宜点吗", "[听不清]", "怎么还没到啊都三天了", "嗯", "没有了"]
TABOOS = ["你怎么连这个也不懂", "你怎麼連這個也不懂", "这是规定，我有什么办法", "大点声，听不见!",
          "你到售后部门问问吧", "爱买不买", "你 问 我 我 问 谁", "不是告诉你了，怎么还不明白?",
          "这不归我管", "你自己去查吧"]


def _base_dialogues(rng: random.Random) -> list[list[dict]]:
    if JDDC.exists():
        with JDDC.open(encoding="utf-8") as fh:
            return [json.loads(line)["turns"] for line in fh]
    dialogues = []
    for _ in range(200):
        turns = []
        for i in range(rng.randint(6, 16)):
            if i % 2 == 0:
                turns.append({"speaker": "agent", "text": rng.choice(SCRIPTS_AGENT).format(n=rng.randint(1000, 9999))})
            else:
                turns.append({"speaker": "customer", "text": rng.choice(SCRIPTS_CUSTOMER)})
        dialogues.append(turns)
    return dialogues


def generate(turns: int, seed: int = 1, taboo_rate: float = 0.02) -> Iterator[dict]:
    """Yield transcripts until about ``turns`` turns have been produced."""
    rng = random.Random(seed)
    base = _base_dialogues(rng)
    produced = 0
    n = 0
    while produced < turns:
        dialogue = [dict(t) for t in rng.choice(base)]
        for turn in dialogue:
            if turn["speaker"] == "agent" and rng.random() < taboo_rate:
                turn["text"] = rng.choice(TABOOS)
        n += 1
        produced += len(dialogue)
        yield {"id": f"bench-{n:07d}", "agent_id": f"A{rng.randint(1, 40):03d}", "turns": dialogue}


def write(path: Path, turns: int, seed: int = 1, encoding: str = "utf-8") -> tuple[int, int]:
    """Write a corpus; returns (transcripts, turns)."""
    count = total = 0
    with path.open("w", encoding=encoding) as fh:
        for transcript in generate(turns, seed):
            fh.write(json.dumps(transcript, ensure_ascii=False) + "\n")
            count += 1
            total += len(transcript["turns"])
    return count, total


def main() -> None:
    """Command-line entry: write a corpus file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    count, total = write(args.out, args.turns, args.seed, args.encoding)
    print(f"wrote {count} transcripts, {total} turns to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
