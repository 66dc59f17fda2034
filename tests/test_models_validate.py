"""The validators scoring builds its models with (``make_*``) give exactly ``Model(**values)``."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptcheck.construct import exact, trusted_maker
from scriptcheck.models import (TRUSTED_KINDS, Deduction, Finding, Report, Severity, StepResult, Transcript,
                                make_deduction, make_finding, make_report, make_step_result)

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


# --- the trusted makers (construct.trusted_maker) against pydantic's validator, on values of
# the right exact types (built without validation) and of every other kind (validated).

_scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=False), st.text(max_size=3),
                    st.sampled_from(list(Severity)), st.sampled_from(["info", "error", "bad"]))


def _values_for(cls, nested):
    fields = {name: st.one_of(_scalar, nested) for name in cls.model_fields}
    fields["extra_key"] = _scalar
    return st.fixed_dictionaries({}, optional=fields)


_finding = st.builds(lambda: Finding(**FINDING))
_step = st.builds(lambda: StepResult(**STEP))
_deduction = st.builds(lambda: Deduction(**DEDUCTION))
_nested = st.one_of(
    st.lists(st.one_of(_finding, _step, _deduction, _scalar), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=2), st.integers(0, 2)), _scalar, max_size=3),
)
# Values shaped as scoring gives them: every field of its exact type.
_typed = {
    Finding: st.fixed_dictionaries(
        {"rule": st.text(max_size=3), "category": st.text(max_size=3), "severity": st.sampled_from(list(Severity)),
         "start": st.one_of(st.none(), st.integers(0, 9)), "end": st.one_of(st.none(), st.integers(0, 9)),
         "text": st.text(max_size=3), "message": st.text(max_size=3)},
        optional={"suggestion": st.text(max_size=3), "turn": st.one_of(st.none(), st.integers(0, 9))}),
    StepResult: st.fixed_dictionaries(
        {"rule": st.text(max_size=3), "name": st.text(max_size=3), "satisfied": st.booleans()},
        optional={"turn": st.one_of(st.none(), st.integers(0, 9)), "start": st.one_of(st.none(), st.integers(0, 9)),
                  "end": st.one_of(st.none(), st.integers(0, 9)), "text": st.one_of(st.none(), st.text(max_size=3)),
                  "score": st.one_of(st.none(), st.floats())}),
    Deduction: st.fixed_dictionaries({"dimension": st.text(max_size=3), "rule": st.text(max_size=3),
                                      "points": st.floats(allow_nan=False), "count": st.integers(0, 9)}),
    Report: st.fixed_dictionaries(
        {"id": st.text(max_size=3), "profile": st.text(max_size=3), "score": st.floats(allow_nan=False),
         "passed": st.booleans(), "dimensions": st.dictionaries(st.text(max_size=3), st.floats(allow_nan=False), max_size=3)},
        optional={"vetoed": st.booleans(), "schema_version": st.integers(0, 2),
                  "deductions": st.lists(_deduction, max_size=2), "findings": st.lists(_finding, max_size=2),
                  "steps": st.lists(_step, max_size=2),
                  "metadata": st.dictionaries(st.text(max_size=3), _scalar, max_size=3)}),
}
MAKERS = [(Finding, make_finding), (StepResult, make_step_result), (Deduction, make_deduction), (Report, make_report)]


def _outcome(make, values):
    try:
        model = make(dict(values))
    except pydantic.ValidationError as exc:
        return ("error", exc.errors(include_url=False))
    return (type(model), model.__dict__, list(model.__dict__), model.__pydantic_fields_set__,
            model.__pydantic_extra__, model.__pydantic_private__, repr(model), model.model_dump_json())


@pytest.mark.parametrize("cls, make", MAKERS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_trusted_makers_equal_the_validator(cls, make, data) -> None:
    for values in (data.draw(_typed[cls]), data.draw(_values_for(cls, _nested))):
        assert _outcome(make, values) == _outcome(cls.__pydantic_validator__.validate_python, values)


def test_trusted_makers_build_typed_values_without_validating() -> None:
    # The point of them: values of the exact types never reach pydantic; others do.
    for cls, _, values in CASES:
        calls: list = []
        make = trusted_maker(cls, TRUSTED_KINDS[cls], validate=_Counting(cls.__pydantic_validator__, calls).validate_python)
        assert make(dict(values)) == cls(**values) and not calls
    calls = []
    make = trusted_maker(StepResult, TRUSTED_KINDS[StepResult], validate=_Counting(StepResult.__pydantic_validator__, calls).validate_python)
    assert make(dict(STEP, score=100)).score == 100.0 and len(calls) == 1


def test_a_model_with_validators_cannot_be_trusted() -> None:
    with pytest.raises(ValueError):
        trusted_maker(Transcript, {name: exact(object) for name in Transcript.model_fields})


class _Counting:
    def __init__(self, inner, calls):
        self.inner, self.calls = inner, calls

    def validate_python(self, *args, **kwargs):
        self.calls.append(args)
        return self.inner.validate_python(*args, **kwargs)
