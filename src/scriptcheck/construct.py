"""Models built from values that already have their fields' exact types, without pydantic's
validation (compiled: ``setup.py``).

Scoring builds a dozen models per transcript (a step result per step, a finding per fault, a
deduction per rule, the report) from values it computed itself: every one is already of its
field's type, and validating them cost more than the rest of building the report
(issue 17: ~30 µs per transcript of ~200). A maker checks each value's exact type (and each
element of a container) and sets the model's state the way pydantic does; any value not of
its field's exact type, a missing required field or an unknown key goes to pydantic's own
validator instead, so errors and conversions (an ``int`` for a ``float`` field, a ``str`` for
an enum) are pydantic's. ``tests/test_models_validate.py`` compares the two on generated values.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["trusted_maker", "exact", "list_of", "str_keys", "str_float_dict"]

_new = object.__new__
_set = object.__setattr__
_REQUIRED = object()  # a field without default
_MISSING = object()  # a key not given
BAD = object()  # what a container check returns for a value pydantic must see


def exact(*types: type) -> tuple[type, ...]:
    """The field accepts values of exactly these types as they are (``None`` for ``type(None)``)."""
    return tuple(type(None) if t is None else t for t in types)


def list_of(cls: type) -> Callable[[Any], Any]:
    """A ``list[cls]`` field: a list of exactly ``cls`` instances, copied as pydantic copies it."""
    def check(value: Any) -> Any:
        if type(value) is not list:
            return BAD
        for item in value:
            if type(item) is not cls:
                return BAD
        return list(value)
    return check


def str_keys(value: Any) -> Any:
    """A ``dict[str, Any]`` field: a dict with ``str`` keys, copied."""
    if type(value) is not dict:
        return BAD
    for key in value:
        if type(key) is not str:
            return BAD
    return dict(value)


def str_float_dict(value: Any) -> Any:
    """A ``dict[str, float]`` field: ``str`` keys and ``float`` values, copied."""
    if type(value) is not dict:
        return BAD
    for key, item in value.items():
        if type(key) is not str or type(item) is not float:
            return BAD
    return dict(value)


def trusted_maker(cls: type, kinds: dict[str, Any],
                  validate: Callable[[Any], Any] | None = None) -> Callable[[dict[str, Any]], Any]:
    """A function of a dict of values to a ``cls`` model equal to
    ``cls.__pydantic_validator__.validate_python(values)`` (same field values, field order,
    fields set), built without validating when every value passes its field's check in
    ``kinds`` (a tuple of exact types, or a check returning the value to store or ``BAD``).

    ``cls`` must be a pydantic model without private attributes, extras, validators or
    ``model_post_init``: then its state is its fields (``__dict__``), the names given
    (``__pydantic_fields_set__``) and ``None`` for extras and private attributes.
    ``validate`` is what other values go to (pydantic's validator of ``cls`` by default).
    """
    if validate is None:
        validate = cls.__pydantic_validator__.validate_python
    decorators = cls.__pydantic_decorators__
    if (decorators.validators or decorators.field_validators or decorators.model_validators
            or decorators.root_validators or cls.__private_attributes__ or cls.__pydantic_post_init__
            or cls.model_config.get("extra") not in (None, "ignore", "forbid")):
        raise ValueError(f"{cls.__name__} has validators or private state: validate it instead")
    if set(kinds) != set(cls.model_fields):
        raise ValueError(f"{cls.__name__}: kinds for {sorted(kinds)}, fields {sorted(cls.model_fields)}")
    spec = []
    for name, info in cls.model_fields.items():
        kind = kinds[name]
        types, check = (kind, None) if isinstance(kind, tuple) else (None, kind)
        if info.default_factory is not None:
            spec.append((name, types, check, _REQUIRED, info.default_factory))
        elif info.is_required():
            spec.append((name, types, check, _REQUIRED, None))
        else:
            spec.append((name, types, check, info.default, None))
    spec = tuple(spec)

    def make(values: dict[str, Any]) -> Any:
        if type(values) is not dict:
            return validate(values)
        state = {}
        given = 0
        for name, types, check, default, factory in spec:
            value = values.get(name, _MISSING)
            if value is _MISSING:
                if factory is not None:
                    value = factory()
                elif default is _REQUIRED:
                    return validate(values)  # pydantic says what is missing
                else:
                    value = default
            else:
                given += 1
                if types is not None:
                    if type(value) not in types:
                        return validate(values)
                else:
                    value = check(value)
                    if value is BAD:
                        return validate(values)
            state[name] = value
        if given != len(values):  # a key that is no field: pydantic's error (or its extras rule)
            return validate(values)
        model = _new(cls)
        _set(model, "__dict__", state)
        _set(model, "__pydantic_fields_set__", set(values))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model

    make.__doc__ = f"A {cls.__name__} from values of its fields' types (validated by pydantic otherwise)."
    return make
