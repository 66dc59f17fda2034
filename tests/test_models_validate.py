"""The validators scoring builds its models with (``make_*``) give exactly ``Model(**values)``."""

from __future__ import annotations

import pydantic
import pytest

from scriptcheck.models import (Deduction, Finding, Report, Severity, StepResult, make_deduction,
                                make_finding, make_report, make_step_result)

FINDING = dict(rule="FB006", category="blame", severity=Severity.error, start=0, end=9, text="你怎么连这个也不懂",
               message="m", suggestion="s", turn=2)
STEP = dict(rule="RQ001", name="greeting", satisfied=True, turn=0, start=0, end=2, text="您好", score=100.0)
DEDUCTION = dict(dimension="steps", rule="RQ001", points=4.0, count=1)

CASES = [
    (Finding, make_finding, FINDING),
    (Finding, make_finding, {k: v for k, v in FINDING.items() if k not in ("suggestion", "turn")}),
    (StepResult, make_step_result, STEP),
    (StepResult, make_step_result, dict(rule="RQ002", name="farewell", satisfied=False)),
    (Deduction, make_deduction, DEDUCTION),
    (Report, make_report, dict(id="t1", profile="hotline", score=86.0, passed=True, vetoed=False,
                              dimensions={"steps": 96.0, "forbidden": 90.0},
                              deductions=[Deduction(**DEDUCTION)], findings=[Finding(**FINDING)],
                              steps=[StepResult(**STEP)], metadata={"agent_id": "A7"})),
    (Report, make_report, dict(id="t2", profile="base", score=100.0, passed=True, dimensions={})),
]


@pytest.mark.parametrize("cls, make, values", CASES)
def test_made_model_is_the_constructed_model(cls, make, values) -> None:
    validated, built = cls(**values), make(dict(values))
    assert type(built) is cls
    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert repr(built) == repr(validated)
    with pytest.raises(pydantic.ValidationError):  # still frozen
        setattr(built, next(iter(cls.model_fields)), None)


def test_default_factories_give_fresh_values() -> None:
    first = make_report(dict(id="a", profile="p", score=1.0, passed=False, dimensions={}))
    second = make_report(dict(id="b", profile="p", score=1.0, passed=False, dimensions={}))
    assert first.metadata == {} and first.metadata is not second.metadata
    assert first.findings is not second.findings


def test_made_models_are_validated() -> None:
    with pytest.raises(pydantic.ValidationError):
        make_deduction(dict(DEDUCTION, count="many"))
    with pytest.raises(pydantic.ValidationError):
        make_finding({k: v for k, v in FINDING.items() if k != "rule"})
    assert make_step_result(dict(STEP, score=100)).score == 100.0 and isinstance(make_step_result(dict(STEP, score=100)).score, float)
