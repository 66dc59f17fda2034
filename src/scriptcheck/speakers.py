"""Speaker labels as contact-centre exports write them (客服, 坐席, 客户, user, bot …)."""

from __future__ import annotations

from typing import Any

__all__ = ["SPEAKER_ALIASES", "normalize_speaker"]

SPEAKER_ALIASES = {
    "agent": "agent", "客服": "agent", "坐席": "agent", "座席": "agent", "客服人员": "agent", "话务员": "agent", "staff": "agent",
    "bot": "agent", "assistant": "agent", "客服代表": "agent", "售后": "agent", "售前": "agent",
    "customer": "customer", "客户": "customer", "顾客": "customer", "用户": "customer",
    "user": "customer", "client": "customer", "买家": "customer",
}


def normalize_speaker(value: Any) -> str | None:
    """``agent``/``customer`` for a known speaker label (Chinese or English), else ``None``."""
    if not isinstance(value, str):
        return None
    return SPEAKER_ALIASES.get(value.strip().lower())
