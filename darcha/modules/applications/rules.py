"""Automatic decisions: a list of conditions over the form data, all of which must hold.

Deliberately tiny and closed: six comparisons on one field each, nothing evaluated.
A value of the wrong type for a comparison makes the condition fail, never raise.
"""

from typing import Any

from darcha.modules.applications.records import AutoRules, Condition

_MISSING = object()


def _same(left: Any, right: Any) -> bool:
    # JSON equality: unlike Python's, true is not 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


def _ordered(left: Any, right: Any) -> bool:
    numbers = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    return (isinstance(left, numbers) and isinstance(right, numbers)) or (
        isinstance(left, str) and isinstance(right, str)
    )


def holds(condition: Condition, data: dict[str, Any]) -> bool:
    value = data.get(condition.field, _MISSING)
    if condition.op == "exists":
        return (value is not _MISSING) is bool(condition.value)
    if value is _MISSING:
        return False
    match condition.op:
        case "eq":
            return _same(value, condition.value)
        case "ne":
            return not _same(value, condition.value)
        case "in":
            return any(_same(value, wanted) for wanted in condition.value)
        case "lt":
            return _ordered(value, condition.value) and value < condition.value
        case "gt":
            return _ordered(value, condition.value) and value > condition.value
    return False


def passes(rules: AutoRules, data: dict[str, Any]) -> bool:
    return all(holds(condition, data) for condition in rules.conditions)
