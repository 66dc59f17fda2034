"""Models built from trusted values (scoring's hot path) equal the validated ones exactly."""

from __future__ import annotations

import pydantic
import pytest

from scriptcheck.models import (Deduction, Finding, Report, Severity, StepResult, new_deduction,
                                new_finding, new_report, new_step_result)

FINDING = dict(rule="FB006", category="blame", severity=Severity.error, start=0, end=9, text="你怎么连这个也不懂",
               message="m", suggestion="s", turn=2)
STEP = dict(rule="RQ001", name="greeting", satisfied=True, turn=0, start=0, end=2, text="您好", score=100.0)
DEDUCTION = dict(dimension="steps", rule="RQ001", points=4.0, count=1)

CASES = [
    (Finding, new_finding, FINDING),
    (Finding, new_finding, {k: v for k, v in FINDING.items() if k not in ("suggestion", "turn")}),
    (StepResult, new_step_result, STEP),
    (StepResult, new_step_result, dict(rule="RQ002", name="farewell", satisfied=False)),
    (Deduction, new_deduction, DEDUCTION),
    (Report, new_report, dict(id="t1", profile="hotline", score=86.0, passed=True, vetoed=False,
                              dimensions={"steps": 96.0, "forbidden": 90.0},
                              deductions=[Deduction(**DEDUCTION)], findings=[Finding(**FINDING)],
                              steps=[StepResult(**STEP)], metadata={"agent_id": "A7"})),
    (Report, new_report, dict(id="t2", profile="base", score=100.0, passed=True, dimensions={})),
]


@pytest.mark.parametrize("cls, trusted, values", CASES)
def test_trusted_model_is_the_validated_model(cls, trusted, values) -> None:
    validated, built = cls(**values), trusted(**values)
    assert type(built) is cls
    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert repr(built) == repr(validated)
    with pytest.raises(pydantic.ValidationError):  # still frozen
        setattr(built, next(iter(cls.model_fields)), None)


def test_default_factories_give_fresh_values() -> None:
    first = new_report(id="a", profile="p", score=1.0, passed=False, dimensions={})
    second = new_report(id="b", profile="p", score=1.0, passed=False, dimensions={})
    assert first.metadata == {} and first.metadata is not second.metadata
    assert first.findings is not second.findings
