"""Workflow definitions: the real files, the checks that refuse bad ones, versions, auto rules."""

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from darcha.modules.applications import api, rules
from darcha.modules.applications.definitions import check
from darcha.modules.applications.records import AutoRules, Condition, WorkflowDef

WORKFLOWS = Path(settings.REPO_DIR) / "workflows"
STANDARD = yaml.safe_load((WORKFLOWS / "standard-review.yaml").read_text(encoding="utf-8"))


def test_the_real_workflows_have_no_problems():
    assert api.check_workflows() == []
    assert {p.stem for p in WORKFLOWS.glob("*.yaml")} >= {
        "standard-review",
        "referral",
        "appointment",
        "automatic",
    }


@pytest.mark.django_db
def test_every_service_that_names_a_workflow_names_a_real_one():
    names = {p.stem for p in WORKFLOWS.glob("*.yaml")}
    for path in Path(settings.REPO_DIR, "services").glob("*/*.yaml"):
        refs = yaml.safe_load(path.read_text(encoding="utf-8"))["refs"]
        if refs["workflow"]:
            assert refs["workflow"] in names, path.name
            assert refs["form"] == path.stem, path.name  # forms are named after their service


def test_the_tin_certificate_rules_approve_its_sample():
    automatic = yaml.safe_load((WORKFLOWS / "automatic.yaml").read_text(encoding="utf-8"))
    sample = yaml.safe_load(
        Path(settings.REPO_DIR, "forms", "tin-certificate.yaml").read_text(encoding="utf-8")
    )
    assert rules.passes(WorkflowDef.from_definition(automatic, 1).auto_rules, sample["sample"])


def problems(**changes) -> list[str]:
    data = copy.deepcopy(STANDARD)
    data.update(changes)
    return [f"{p.where}: {p.reason}" for p in check(data, "standard-review.yaml")]


def test_labels_need_all_four_languages():
    states = copy.deepcopy(STANDARD["states"])
    del states[0]["label"]["uz_cyrl"]
    assert problems(states=states) == ["states/0/label: 'uz_cyrl' is a required property"]


def test_roles_and_requirements_come_from_fixed_lists():
    actions = copy.deepcopy(STANDARD["actions"])
    actions[0]["roles"] = ["janitor"]
    actions[1]["requires"] = ["signature"]
    found = problems(actions=actions)
    assert len(found) == 2
    assert found[0].startswith("actions/0/roles/0:") and found[1].startswith("actions/1/requires/0:")


def test_the_name_is_the_file_name():
    assert problems(name="other-name") == ["name: must be the file name"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(initial="nowhere"), "initial: nowhere is not one of the states"),
        (lambda d: d.update(initial="approved"), "initial: the first state cannot be terminal"),
        (lambda d: d["actions"][0].update(to="limbo"), "actions: accept: to: limbo is not one of the states"),
        (
            lambda d: d["actions"][0]["from"].append("approved"),
            "actions: accept: from: approved is terminal; nothing may leave it",
        ),
        (lambda d: d["states"][6].pop("outcome"), "states: approved: a terminal state needs an outcome"),
        (
            lambda d: d.pop("reject_reasons"),
            "actions: reject: requires reason_code but the workflow has no reject_reasons",
        ),
        (lambda d: d["actions"].append(copy.deepcopy(d["actions"][0])), "actions: accept is defined twice"),
        (
            lambda d: d["actions"][0].update(roles=["system", "receiver"]),
            "actions: accept: an action taken by the system is taken by nobody else",
        ),
        (
            lambda d: [a["from"].remove("resubmitted") for a in d["actions"] if "resubmitted" in a["from"]],
            "states: resubmitted: no action leads out of this state",
        ),
    ],
)
def test_references_between_states_and_actions_are_checked(change, expected):
    data = copy.deepcopy(STANDARD)
    change(data)
    assert expected in [f"{p.where}: {p.reason}" for p in check(data, "standard-review.yaml")]


def test_auto_rules_must_name_system_actions_from_the_start():
    data = copy.deepcopy(STANDARD)
    data["auto_rules"] = {
        "conditions": [{"field": "copies", "op": "gt", "value": 1}],
        "on_pass": "approve",
        "on_fail": "nothing",
        "reject_reason": "unknown",
    }
    found = [str(p) for p in check(data, "standard-review.yaml")]
    assert any("on_pass: approve must be taken by the system" in f for f in found)
    assert any("on_fail: nothing is not one of the actions" in f for f in found)
    assert any("reject_reason: unknown is not one of the reject_reasons" in f for f in found)


def test_conditions_are_validated():
    data = copy.deepcopy(STANDARD)
    data["auto_rules"] = {
        "conditions": [{"field": "x", "op": "in", "value": 3}],
        "on_pass": "a",
        "on_fail": "b",
        "reject_reason": "other",
    }
    assert any("value" in p.where or "array" in p.reason for p in check(data, "standard-review.yaml"))
    data["auto_rules"]["conditions"] = [{"field": "x", "op": "matches", "value": ".*"}]
    assert check(data, "standard-review.yaml")


@pytest.mark.django_db
def test_loading_is_idempotent_and_versions_changes(tmp_path):
    root = tmp_path / "workflows"
    root.mkdir()
    shutil.copy(WORKFLOWS / "appointment.yaml", root)
    first = api.load_workflows(root)
    assert (first.created, first.unchanged) == ((), 1)  # loaded already, with the same content
    assert "standard-review" in first.withdrawn  # not in this directory: withdrawn, kept for its applications
    again = api.load_workflows(root)
    assert not again.changed
    before = api.workflow("appointment").version
    text = (
        (root / "appointment.yaml")
        .read_text(encoding="utf-8")
        .replace("overall_term_days: 1", "overall_term_days: 2")
    )
    (root / "appointment.yaml").write_text(text, encoding="utf-8")
    assert api.load_workflows(root).updated == ("appointment",)
    assert api.workflow("appointment").version == before + 1
    assert api.workflow("appointment", before).overall_term_days == 1
    assert api.workflow("appointment").overall_term_days == 2


@pytest.mark.django_db
def test_a_bad_file_stops_a_strict_load(tmp_path):
    root = tmp_path / "workflows"
    root.mkdir()
    (root / "broken.yaml").write_text("name: broken\nstates: [", encoding="utf-8")
    with pytest.raises(api.WorkflowsInvalid) as refused:
        api.load_workflows(root)
    assert "broken.yaml" in str(refused.value)
    assert api.load_workflows(root, strict=False).problems


# --- Automatic decision rules ------------------------------------------------------------------------


def rule(op, value=None, field="x"):
    return AutoRules(conditions=(Condition(field, op, value),), on_pass="a", on_fail="b", reject_reason="r")


@pytest.mark.parametrize(
    ("op", "value", "data", "expected"),
    [
        ("eq", "a", {"x": "a"}, True),
        ("eq", 1, {"x": True}, False),  # JSON: true is not 1
        ("ne", "a", {"x": "b"}, True),
        ("ne", "a", {}, False),  # a missing field fails every comparison
        ("in", ["a", "b"], {"x": "b"}, True),
        ("in", ["a", "b"], {"x": "c"}, False),
        ("lt", 4, {"x": 3}, True),
        ("lt", 4, {"x": 4}, False),
        ("gt", "2026-01-01", {"x": "2026-05-01"}, True),
        ("gt", 4, {"x": "5"}, False),  # a string is not compared with a number
        ("exists", True, {"x": None}, True),
        ("exists", False, {}, True),
        ("exists", True, {}, False),
    ],
)
def test_conditions(op, value, data, expected):
    assert rules.passes(rule(op, value), data) is expected


def test_every_condition_must_hold():
    both = AutoRules(
        conditions=(Condition("a", "eq", 1), Condition("b", "eq", 2)),
        on_pass="p",
        on_fail="f",
        reject_reason="r",
    )
    assert rules.passes(both, {"a": 1, "b": 2})
    assert not rules.passes(both, {"a": 1, "b": 3})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)


@given(
    op=st.sampled_from(["eq", "ne", "in", "lt", "gt", "exists"]),
    value=json_values,
    data=st.dictionaries(st.sampled_from(["x", "y"]), json_values, max_size=2),
)
def test_rules_never_raise_on_any_data(op, value, data):
    if op == "in" and not isinstance(value, list):
        value = [value]
    assert rules.passes(rule(op, value), data) in (True, False)
