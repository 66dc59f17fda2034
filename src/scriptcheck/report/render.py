"""The payload → one self-contained HTML file (Jinja2 templates shipped beside this module).

Everything is inline — style, script, data, the score chart (SVG drawn here) — so the file
opens offline, from a mail attachment or a CI artifact, and makes no network request.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["render_html", "histogram_svg"]

_DIM_LABELS = {"forbidden": "规范用语 Wording", "politeness": "服务态度 Politeness", "steps": "服务流程 Steps",
               "privacy": "信息安全 Privacy", "timing": "响应时效 Timing"}


def _asset(name: str) -> str:
    return resources.files("scriptcheck.report").joinpath("templates", name).read_text(encoding="utf-8")


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no ``</script>``, ``<!--`` or line separators can end it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def histogram_svg(counts: list[int], width: int = 520, height: int = 180) -> str:
    """An accessible bar chart of score bins over 0–100 as inline SVG (no chart library)."""
    from markupsafe import escape

    bins = len(counts)
    top = max(counts) if counts and max(counts) else 1
    pad_left, pad_bottom, pad_top = 8, 24, 18
    bar_w = (width - pad_left * 2) / max(bins, 1)
    plot_h = height - pad_bottom - pad_top
    parts = [f'<svg class="hist" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="分数分布 Score distribution: {escape(", ".join(map(str, counts)))}">']
    for i, count in enumerate(counts):
        lo, hi = i * 100 // bins, (i + 1) * 100 // bins
        h = plot_h * count / top
        x = pad_left + i * bar_w
        y = pad_top + plot_h - h
        label = f"{lo}–{hi}: {count}"
        parts.append(f'<g class="bin" data-lo="{lo}" data-hi="{hi}"><title>{label}</title>'
                     f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" rx="2"></rect>'
                     f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>'
                     f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" text-anchor="middle" class="axis">{lo}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(payload: dict) -> str:
    """The report page for a payload built by :func:`scriptcheck.report.data.build_payload`."""
    try:
        import jinja2
    except ImportError:
        raise ImportError('the HTML report needs Jinja2: pip install "scriptcheck[report]"', name="jinja2") from None
    env = jinja2.Environment(loader=jinja2.PackageLoader("scriptcheck.report", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    client = {key: payload[key] for key in ("title", "rules", "rule_info", "steps", "dims", "agents", "agent_field",
                                            "transcripts", "summary")}
    return env.get_template("report.html.j2").render(
        p=payload, dim_labels=_DIM_LABELS, hist=histogram_svg(payload["histogram"]),
        style=_asset("report.css"), script=_asset("report.js"), data=_script_json(client),
    )
