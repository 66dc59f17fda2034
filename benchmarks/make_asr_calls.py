"""Write ASR-style hotline calls with their privacy leaks and silences annotated.

Speech-to-text output of calls, as call-analytics platforms export it: punctuation missing,
odd (a comma at every pause) or replaced by spaces; fillers (嗯, 呃, 那个, 就是); numbers in
Chinese numerals read digit by digit (一三八…, 幺三八…, 两, 〇/零), in groups split by pauses,
commas or hesitations, or typed; positional amounts (两千三百); 你 for 您 (the two sound
alike); times per turn in seconds or milliseconds; agent turns cut mid-number; backchannels
over the other speaker; now and then times that run backwards.

Each call is built from scenes (an opening, one to three middle scenes, a closing); every scene
knows what it contains, so the annotation is exact: ``expected.leaks`` ({turn, rule, digits}:
a full phone, ID-card or bank-card number the agent says — each number once) and
``expected.silences`` (the turns before which, or at the end of which, the agent owed an
answer and the line was silent longer than 10 s; a hold the customer accepted is not one).

    python benchmarks/make_asr_calls.py [--seed 16] [--calls 40] [-o benchmarks/data/asr_calls.jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

__all__ = ["make_calls", "main"]

CN = "零一二三四五六七八九"


# -- numbers --------------------------------------------------------------------------------

def _luhn_digit(body: str) -> str:
    for d in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + d)):
            x = int(ch)
            if i % 2:
                x = x * 2 - 9 if x > 4 else x * 2
            total += x
        if total % 10 == 0:
            return d
    raise AssertionError


def _id_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def phone(rng: random.Random) -> str:
    """A mobile number."""
    return rng.choice(["13", "15", "18", "17", "19"]) + str(rng.randint(0, 9)) + "".join(
        str(rng.randint(0, 9)) for _ in range(8))


def id_number(rng: random.Random, valid: bool = True) -> str:
    """A resident ID number (check digit valid or not)."""
    body = (rng.choice(["440106", "110105", "320102", "510104", "330106", "420111"])
            + str(rng.randint(1965, 2003)) + f"{rng.randint(1, 12):02d}" + f"{rng.randint(1, 28):02d}"
            + f"{rng.randint(0, 999):03d}")
    check = _id_digit(body)
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def card_number(rng: random.Random, valid: bool = True) -> str:
    """A bank card number of 16 or 19 digits (Luhn valid or not)."""
    length = rng.choice([16, 19])
    body = rng.choice(["622202", "621700", "622848", "621483", "622588"])
    body += "".join(str(rng.randint(0, 9)) for _ in range(length - 1 - len(body)))
    check = _luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    return body + check


def _cn_digits(digits: str, rng: random.Random, yao: bool) -> str:
    out = []
    for d in digits:
        if d == "1" and yao:
            out.append("幺")
        elif d == "0":
            out.append(rng.choice(["零", "零", "〇"]))
        elif d == "2" and rng.random() < 0.1:
            out.append("两")
        elif d == "X":
            out.append(rng.choice(["X", "叉", "x"]))
        else:
            out.append(CN[int(d)])
    return "".join(out)


def _groups(digits: str, kind: str) -> list[str]:
    if kind == "phone":
        cuts = [3, 7]
    elif kind == "id":
        cuts = [6, 14] if len(digits) == 18 else [4, 8, 12, 16]
    else:
        cuts = list(range(4, len(digits), 4))
    parts, last = [], 0
    for c in cuts:
        parts.append(digits[last:c])
        last = c
    parts.append(digits[last:])
    return [p for p in parts if p]


def say_number(digits: str, kind: str, rng: random.Random) -> str:
    """The number as ASR writes it when it is said: typed, spaced, in Chinese numerals, in
    groups split by spaces, commas or hesitations."""
    style = rng.choice(["typed", "spaced", "cn", "cn-groups", "cn-fillers", "mixed", "yao", "one-by-one"])
    if style == "one-by-one":  # each digit a pause apart, as ASR with ITN writes slow dictation
        return " ".join(_cn_digits(d, rng, yao=False) if rng.random() < 0.5 else d for d in digits)
    yao = style == "yao" or (kind == "phone" and rng.random() < 0.4)
    if style == "typed":
        return digits
    if style == "spaced":
        return " ".join(_groups(digits, kind))
    if style in ("cn", "yao"):
        return _cn_digits(digits, rng, yao)
    groups = [_cn_digits(g, rng, yao) for g in _groups(digits, kind)]
    if style == "cn-groups":
        return rng.choice([" ", "，", "、", "，"]).join(groups)
    if style == "cn-fillers":
        out = groups[0]
        for g in groups[1:]:
            out += rng.choice([" 嗯 ", "嗯", " 呃 ", "，嗯，", " "]) + g
        return out
    return " ".join(g if i % 2 else _cn_digits(g, rng, yao) for i, g in enumerate(_groups(digits, kind)))


def masked(digits: str, rng: random.Random) -> str:
    """The last four digits, as an agent should say them."""
    return _cn_digits(digits[-4:], rng, False) if rng.random() < 0.6 else digits[-4:]


# -- text style -----------------------------------------------------------------------------

FILLERS = ["嗯", "呃", "那个", "就是", "啊", "嗯那个", "然后"]


class Style:
    """How ASR wrote one call: punctuation, fillers, 你 for 您."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.punct = rng.choice(["none", "spaces", "commas", "normal"])
        self.fillers = rng.random() < 0.7
        self.ni = rng.random() < 0.35

    def text(self, clauses: list[str], *, question: bool = False) -> str:
        """Join clauses the way this call's ASR does."""
        rng = self.rng
        parts = []
        for clause in clauses:
            if self.fillers and rng.random() < 0.3:
                clause = rng.choice(FILLERS) + clause
            if self.ni:
                clause = clause.replace("您", "你")
            parts.append(clause)
        if self.punct == "none":
            return "".join(parts)
        if self.punct == "spaces":
            return " ".join(parts)
        if self.punct == "commas":
            return "，".join(parts) + "。"
        return "，".join(parts) + ("？" if question else "。")


# -- scenes ---------------------------------------------------------------------------------

class Call:
    """A call being built: turns with times, and what is expected of it."""

    def __init__(self, rng: random.Random, ident: str) -> None:
        self.rng = rng
        self.id = ident
        self.style = Style(rng)
        self.turns: list[dict] = []
        self.t = rng.uniform(0.2, 1.5)
        self.leaks: list[dict] = []
        self.silences: list[int] = []
        self.phenomena: set[str] = set()
        self.metadata: dict = {}
        self.bad_times = False

    def say(self, speaker: str, clauses: list[str] | str, *, gap: float | None = None, question=False,
            raw: bool = False) -> int:
        """Add a turn after ``gap`` seconds (a normal pause when None); returns its index."""
        rng = self.rng
        text = clauses if raw else self.style.text([clauses] if isinstance(clauses, str) else clauses,
                                                    question=question)
        start = self.t + (rng.uniform(0.3, 2.0) if gap is None else gap)
        duration = max(0.4, len(text) / rng.uniform(3.8, 5.5))
        self.turns.append({"speaker": speaker, "text": text, "start": round(start, 2),
                           "end": round(start + duration, 2)})
        self.t = start + duration
        return len(self.turns) - 1

    def backchannel(self, over: int) -> None:
        """An agent 嗯 inside the customer's turn ``over`` (ASR keeps overlapping speech)."""
        turn = self.turns[over]
        mid = round((turn["start"] + turn["end"]) / 2, 2)
        self.turns.append({"speaker": "agent", "text": self.rng.choice(["嗯", "嗯嗯", "对", "好"]),
                           "start": mid, "end": round(mid + 0.3, 2)})
        self.turns.sort(key=lambda x: x["start"])
        self.phenomena.add("overlap")

    def leak(self, turn: int, rule: str, digits: str) -> None:
        """Expect a leak of ``digits`` at ``turn`` unless the same number leaked before."""
        if not any(x["digits"] == digits and x["rule"] == rule for x in self.leaks):
            self.leaks.append({"turn": turn, "rule": rule, "digits": digits})


def opening(call: Call) -> None:
    rng = call.rng
    if rng.random() < 0.12:
        call.say("agent", [rng.choice(["喂", "喂喂"]), "说吧", "什么事"], question=True)
        call.phenomena.add("rude-opener")
    else:
        staff = rng.choice(["一零二三", "幺零二三", "1023", "三五七", "八八六"])
        call.say("agent", ["您好", rng.choice(["方标电信", "方标银行信用卡中心", "方标燃气"]), f"工号{staff}为您服务",
                           "请问有什么可以帮您"], question=True)


def closing(call: Call) -> None:
    rng = call.rng
    call.say("agent", ["请问您还有什么需要帮助吗"], question=True)
    call.say("customer", [rng.choice(["没有了谢谢", "没了", "嗯没有了"])])
    call.say("agent", ["感谢您的来电", "欢迎再次拨打", "再见"])


def scene_phone(call: Call) -> None:
    rng = call.rng
    number = phone(rng)
    call.say("customer", ["我想查一下我的话费" if rng.random() < 0.5 else "我要改一下联系电话"])
    call.say("agent", ["好的", "麻烦您报一下您的手机号码"])
    call.say("customer", ["手机号是" + say_number(number, "phone", rng)])
    call.phenomena.add("spoken-number")
    choice = rng.random()
    if choice < 0.45:
        i = call.say("agent", ["好的跟您核对一下", "您的号码是" + say_number(number, "phone", rng), "对吗"], question=True)
        call.leak(i, "PV001", number)
        call.say("customer", ["对"])
        if rng.random() < 0.4:  # the agent reads it out again: still one leak
            call.say("agent", ["好的" + say_number(number, "phone", rng) + "已经为您登记"])
            call.phenomena.add("read-twice")
    elif choice < 0.6:
        # ASR cuts the agent's turn in the middle of the number.
        spoken = say_number(number, "phone", rng).replace(" ", "")
        cut = rng.randint(4, 7)
        i = call.say("agent", "好的您的号码是" + spoken[:cut], raw=True)
        call.say("agent", spoken[cut:] + "对吗", raw=True, gap=rng.uniform(0.05, 0.4))
        call.leak(i, "PV001", number)
        call.phenomena.add("split-turn")
        call.say("customer", ["对的"])
    else:
        call.say("agent", ["好的", "尾号" + masked(number, rng) + "的号码已经为您核实"])
        call.say("customer", ["嗯"])


def _read_back_or_mask(call: Call, number: str, kind: str, valid: bool, rule: str, read_back: list[str],
                       confirm: str, masked_reply: list[str]) -> None:
    """After the customer said ``number``: the agent reads it back (a leak of ``rule``; the
    number goes where ``read_back`` has ``{}``) and the customer confirms, or the agent names its
    masked tail (``{}`` in ``masked_reply``)."""
    rng = call.rng
    call.phenomena.add("spoken-number")
    if rng.random() < 0.55:
        spoken = say_number(number, kind, rng)
        i = call.say("agent", [part.format(spoken) for part in read_back], question=True)
        call.leak(i, rule, number)
        call.phenomena.add(f"{kind}-valid" if valid else f"{kind}-invalid-check")
        call.say("customer", [confirm])
    else:
        tail = masked(number, rng)
        call.say("agent", [part.format(tail) for part in masked_reply])


def scene_id(call: Call) -> None:
    rng = call.rng
    valid = rng.random() < 0.7
    number = id_number(rng, valid)
    call.say("agent", ["为了核实您的身份", "麻烦您提供一下身份证号码"])
    call.say("customer", ["身份证号是" + say_number(number, "id", rng)])
    _read_back_or_mask(call, number, "id", valid, "PV002", ["好的", "您的身份证号{}", "没错吧"], "没错",
                       ["好的", "后四位{}已经核实"])


def scene_card(call: Call) -> None:
    rng = call.rng
    valid = rng.random() < 0.7
    number = card_number(rng, valid)
    call.say("customer", ["我想把扣款的卡换一下"])
    call.say("agent", ["好的", "请您提供一下新的银行卡号"])
    call.say("customer", [say_number(number, "card", rng)])
    _read_back_or_mask(call, number, "card", valid, "PV003", ["跟您确认一下卡号是{}", "对吗"], "对",
                       ["好的", "尾号{}的卡已经为您绑定"])


def scene_amounts(call: Call) -> None:
    """Numbers that are no leak: amounts, dates, order numbers, the hotline's number."""
    rng = call.rng
    call.say("customer", ["我这个月的账单怎么这么多"])
    call.say("agent", [f"您本月消费一共是{rng.choice(['两千三百五十元', '一百三十八元', '2350元', '五十八块'])}",
                       f"是{rng.choice(['二零二四年五月一号', '五月十二号', '2024年5月1日'])}扣的",
                       f"订单号是{say_number(''.join(str(rng.randint(0, 9)) for _ in range(12)), 'card', rng)}",
                       "有问题可以拨打幺零零八六"])
    call.phenomena.add("amounts")


def scene_hold(call: Call, accepted: bool = True) -> None:
    rng = call.rng
    call.say("customer", [rng.choice(["我家宽带连不上了", "我的卡被锁了", "燃气费交了怎么还没到账"])])
    announcement = rng.choice([["请您稍等", "我帮您查一下", "好吗"], ["麻烦您稍等一下", "我帮您查一下", "好吗"],
                               ["请稍等", "好吗"], ["我这边给您看一下", "您先别挂"], ["我查一下", "请您耐心等待"]])
    if rng.random() < 0.3:  # ASR cuts the announcement into two turns
        call.say("agent", announcement[:1])
        call.say("agent", announcement[1:], question=True, gap=rng.uniform(0.1, 0.5))
    else:
        call.say("agent", announcement, question=True)
    if accepted:
        call.say("customer", [rng.choice(["好", "好的", "嗯好", "行", "可以", "嗯", "好的你查吧", "嗯嗯", "好的好的",
                                          "那你查吧", "可以的", "没问题"])])
        if rng.random() < 0.3:
            call.say("agent", ["好的"])
        call.say("agent", ["让您久等了", "系统显示正在处理"], gap=rng.uniform(12, 45))
        call.phenomena.add("hold-accepted")
    else:
        call.say("customer", ["我赶时间你快点"])
        i = call.say("agent", ["系统显示正在处理"], gap=rng.uniform(12, 30))
        call.silences.append(i)
        call.phenomena.add("hold-refused")


def scene_silence(call: Call) -> None:
    """The customer asks, the agent says nothing for a while (the customer may call 喂 into it)."""
    rng = call.rng
    call.say("customer", [rng.choice(["那我这个套餐能改吗", "为什么扣了我两次钱", "什么时候能修好"])], question=True)
    if rng.random() < 0.4:
        call.say("customer", [rng.choice(["喂", "喂喂", "还在吗"])], gap=rng.uniform(6, 9), question=True)
        i = call.say("agent", ["可以的", "我这边给您处理"], gap=rng.uniform(5, 9))
        call.phenomena.add("hello-into-silence")
    else:
        i = call.say("agent", ["可以的", "我这边给您处理"], gap=rng.uniform(12, 25))
    call.silences.append(i)
    call.phenomena.add("silence")


def scene_customer_slow(call: Call) -> None:
    """The agent asks; the customer takes a while or checks the line: not the agent's silence."""
    rng = call.rng
    call.say("agent", ["请问您是什么时候办理的这个业务"], question=True)
    if rng.random() < 0.5:
        call.say("customer", ["喂", "听得到吗"], gap=rng.uniform(11, 16), question=True)
        call.say("agent", ["能听到的", "请问您是什么时候办理的"], gap=rng.uniform(0.5, 2))
    call.say("customer", ["我想想啊", "应该是去年三月份"], gap=rng.uniform(11, 18))
    call.say("agent", ["好的"])
    call.phenomena.add("customer-slow")


def scene_customer_wait(call: Call) -> None:
    rng = call.rng
    call.say("agent", ["麻烦您提供一下合同编号"])
    call.say("customer", [rng.choice(["你等一下我找一下", "稍等我去拿一下合同", "我看一下啊"])])
    call.say("customer", ["找到了", "是" + say_number("".join(str(rng.randint(0, 9)) for _ in range(8)), "card", rng)],
             gap=rng.uniform(15, 40))
    call.say("agent", ["好的", "已经查到了"])
    call.phenomena.add("customer-wait")


def scene_complaint(call: Call) -> None:
    rng = call.rng
    call.say("customer", [rng.choice(["你们怎么乱扣费啊", "太差劲了你们", "你们这服务太烂了", "我要投诉你们"])])
    call.say("agent", ["非常抱歉给您带来不便", "我马上帮您处理"])
    call.phenomena.add("complaint")


def scene_overlap(call: Call) -> None:
    i = call.say("customer", ["我就是想问一下那个", "我上个月办的那个流量包", "怎么这个月又没了"])
    call.backchannel(i)
    call.say("agent", ["您办的是月包", "每个月一号会重置的"])


SCENES = [scene_phone, scene_id, scene_card, scene_amounts, scene_hold, scene_silence, scene_customer_wait,
          scene_complaint, scene_overlap, scene_customer_slow]


def _finish(call: Call) -> None:
    rng = call.rng
    # The end of a call: the agent never answers the customer's last words, or the line stays
    # open after them (call_end in metadata).
    if rng.random() < 0.15:
        call.say("customer", ["那我这个怎么办"], question=True)
        if rng.random() < 0.5:
            i = call.say("customer", ["喂", "喂", "还在吗"], gap=rng.uniform(25, 40), question=True)
        else:  # several 喂, none 10 s after the last, 30 s and more in all
            for _ in range(4):
                i = call.say("customer", [rng.choice(["喂", "喂喂", "还在吗", "有人吗", "听得到吗"])],
                             gap=rng.uniform(6, 9.5), question=True)
        call.silences.append(i)
        call.phenomena.add("silence-at-end")
        return
    closing(call)
    if rng.random() < 0.1:
        i = call.say("customer", ["等一下我还有个问题"])
        call.metadata["call_end"] = round(call.t + rng.uniform(25, 40), 2)
        call.silences.append(i)
        call.phenomena.add("silence-at-end")


def _disorder(call: Call) -> None:
    """Now and then the exporter writes one turn's times backwards (a data problem, no silence)."""
    if call.rng.random() < 0.12 and len(call.turns) > 4:
        k = call.rng.randrange(2, len(call.turns) - 1)
        if k in call.silences or k + 1 in call.silences:
            return
        turn = call.turns[k]
        turn["start"], turn["end"] = turn["end"], turn["start"]
        call.phenomena.add("bad-times")


def make_calls(seed: int = 16, count: int = 40) -> list[dict]:
    """``count`` annotated calls (deterministic for a seed)."""
    rng = random.Random(seed)
    calls = []
    for n in range(count):
        call = Call(rng, f"asr-{seed}-{n + 1:03d}")
        opening(call)
        scenes = rng.sample(SCENES, rng.randint(1, 3))
        # Every call of the set has at least one number and one pause worth judging.
        if not any(s in scenes for s in (scene_phone, scene_id, scene_card)):
            scenes.append(rng.choice([scene_phone, scene_id, scene_card]))
        for scene in scenes:
            if scene is scene_hold:
                scene_hold(call, accepted=rng.random() < 0.8)
            else:
                scene(call)
        _finish(call)
        _disorder(call)
        ms = rng.random() < 0.4
        turns = call.turns
        if ms:
            turns = [{**t, "start": int(round(t["start"] * 1000)), "end": int(round(t["end"] * 1000))} for t in turns]
            if "call_end" in call.metadata:
                call.metadata["call_end"] = int(round(call.metadata["call_end"] * 1000))
            call.phenomena.add("milliseconds")
        calls.append({
            "id": call.id, "profile": "hotline-asr", "channel": "phone", **call.metadata, "turns": turns,
            "expected": {"leaks": call.leaks, "silences": sorted(call.silences)},
            "phenomena": sorted(call.phenomena | {f"punct-{call.style.punct}"}),
        })
    return calls


def main() -> None:
    """Write the calls as JSONL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("-o", "--output", default=None, help="default: stdout")
    args = parser.parse_args()
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in make_calls(args.seed, args.calls))
    if args.output:
        Path(args.output).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)


if __name__ == "__main__":
    main()
