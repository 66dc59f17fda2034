"""Loading profile files: packaged (``hotline`` …) or user files, validated with readable errors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from scriptcheck.errors import ProfileError
from scriptcheck.lexicon.loader import defaults_dir, format_validation_error, read_yaml
from scriptcheck.profile.schema import ProfileFile

__all__ = ["Profile", "load_profile", "default_profile_names"]


@dataclass(frozen=True)
class Profile:
    """A validated profile and where it came from."""

    data: ProfileFile
    path: str

    @property
    def name(self) -> str:
        """The profile's name."""
        return self.data.name

    @cached_property
    def customer_categories(self) -> frozenset[str]:
        """Cue categories the pair rules react to in customer turns (all a customer turn is
        scanned for)."""
        from scriptcheck.profile.schema import PairRule

        return frozenset(c for r in self.data.rules if isinstance(r, PairRule) and r.trigger.speaker == "customer"
                         for c in r.trigger.categories)

    @cached_property
    def _agent_category_plan(self) -> tuple[frozenset[str], tuple[tuple[slice, frozenset[str]], ...]]:
        from scriptcheck.profile.schema import PairRule, StepRule, TemplateKindRule

        anywhere: set[str] = set()
        windowed = []  # (the agent turns a step may be in, its categories)
        for rule in self.data.rules:
            if isinstance(rule, StepRule):
                windowed.append((rule.window.turns, rule.category_set))
            elif isinstance(rule, PairRule):
                if rule.trigger.speaker == "agent":
                    anywhere.update(rule.trigger.categories)
                anywhere.update(rule.response.categories)
            elif isinstance(rule, TemplateKindRule):
                anywhere.update(rule.categories)
        return frozenset(anywhere), tuple(windowed)

    @cached_property
    def _agent_plans(self) -> dict[int, list[frozenset[str]]]:
        return {}

    def agent_categories(self, count: int) -> list[frozenset[str]]:
        """For a transcript of ``count`` agent turns, the service-phrase categories some rule
        asks about in each of them: pair and template categories anywhere, a step's only
        inside its window (a closing's 谢谢 in the third agent turn decides nothing). Turns
        are scanned for just these; asking about others scans the turn again."""
        plans = self._agent_plans
        plan = plans.get(count)
        if plan is None:
            anywhere, windowed = self._agent_category_plan
            wanted = [set(anywhere) for _ in range(count)]
            for turns, categories in windowed:  # the same slice the step rule looks in
                for position in range(count)[turns]:
                    wanted[position].update(categories)
            distinct: dict[frozenset[str], frozenset[str]] = {}  # equal sets as one object
            plan = [distinct.setdefault(key, key) for key in map(frozenset, wanted)]
            if count <= 256:  # long transcripts are rare: no plan per length kept for them
                plans[count] = plan
        return plan

    @cached_property
    def rules_by_kind(self) -> dict[type, list]:
        """The profile's rules grouped by rule class, in file order (scoring runs each kind in
        turn without dispatching on every transcript)."""
        grouped: dict[type, list] = {}
        for rule in self.data.rules:
            grouped.setdefault(type(rule), []).append(rule)
        return grouped

    def lexicon_sources(self) -> list[str]:
        """The profile's lexicons: packaged names as they are, file paths relative to the profile."""
        base = Path(self.path).parent
        out = []
        for ref in self.data.lexicons:
            if ref.endswith((".yaml", ".yml")) and not Path(ref).is_absolute():
                out.append(str(base / ref))
            else:
                out.append(ref)
        return out


def default_profile_names() -> list[str]:
    """Names of the profiles shipped with scriptcheck."""
    return sorted(p.stem for p in (defaults_dir() / "profiles").glob("*.yaml"))


def _resolve(source: str | Path, relative_to: Path | None = None) -> Path:
    path = Path(source)
    if path.suffix in (".yaml", ".yml"):
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        return path
    if path.exists():
        return path
    packaged = defaults_dir() / "profiles" / f"{source}.yaml"
    if not packaged.exists():
        raise ProfileError(
            f"no profile file or packaged profile named {str(source)!r} "
            f"(packaged: {', '.join(default_profile_names())})"
        )
    return packaged


def _read_merged(path: Path, chain: tuple[Path, ...] = ()) -> object:
    """The profile's YAML with its ``extends`` chain merged in: the child's keys win, rules are
    merged by id (a child rule replaces the parent's rule of the same id), examples are the
    child's own."""
    if path.resolve() in chain:
        raise ProfileError(f"{path}: `extends` forms a cycle")
    data = read_yaml(path, ProfileError)
    if not isinstance(data, dict) or not data.get("extends"):
        return data
    parent_path = _resolve(data["extends"], path.parent)
    parent = _read_merged(parent_path, chain + (path.resolve(),))
    if not isinstance(parent, dict):
        raise ProfileError(f"{parent_path}: not a profile mapping")
    merged = {**{k: v for k, v in parent.items() if k not in ("examples", "name", "description")}, **data}
    rules = {r.get("id"): r for r in parent.get("rules") or [] if isinstance(r, dict)}
    for rule in data.get("rules") or []:
        if isinstance(rule, dict):
            rules[rule.get("id")] = rule
    merged["rules"] = list(rules.values())
    return merged


def load_profile(source: str | Path) -> Profile:
    """Load a profile from a file path or a packaged name (``"hotline"``, ``"callback"`` …)."""
    path = _resolve(source)
    data = _read_merged(path)
    try:
        model = ProfileFile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(format_validation_error(path, exc, data, list_key="rules")) from None
    return Profile(model, str(path))
