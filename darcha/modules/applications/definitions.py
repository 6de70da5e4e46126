"""Reading and checking workflow definitions: ``workflows/<name>.yaml`` against
``schemas/workflow-definition.schema.json``, then the rules a schema cannot state."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.conf import settings


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.reason}"


@dataclass(frozen=True)
class Definition:
    name: str
    file: str
    data: dict[str, Any]


class WorkflowsInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def workflows_dir() -> Path:
    return Path(settings.REPO_DIR) / "workflows"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    path = Path(settings.REPO_DIR) / "schemas" / "workflow-definition.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _duplicates(codes: list[str]) -> set[str]:
    seen: set[str] = set()
    return {code for code in codes if code in seen or seen.add(code)}


def _semantic_problems(data: dict[str, Any]) -> list[str]:
    """What the schema cannot say: references between states, actions and reasons."""
    problems = []
    states = {s["code"]: s for s in data["states"]}
    actions = {a["code"]: a for a in data["actions"]}
    reasons = {r["code"] for r in data.get("reject_reasons", ())}
    for code in _duplicates([s["code"] for s in data["states"]]):
        problems.append(f"states: {code} is defined twice")
    for code in _duplicates([a["code"] for a in data["actions"]]):
        problems.append(f"actions: {code} is defined twice")
    initial = states.get(data["initial"])
    if initial is None:
        problems.append(f"initial: {data['initial']} is not one of the states")
    elif initial.get("terminal"):
        problems.append("initial: the first state cannot be terminal")
    for state in data["states"]:
        if state.get("terminal") and not state.get("outcome"):
            problems.append(f"states: {state['code']}: a terminal state needs an outcome")
        if not state.get("terminal") and state.get("outcome"):
            problems.append(f"states: {state['code']}: only terminal states have an outcome")
        if not state.get("terminal") and not any(state["code"] in a["from"] for a in data["actions"]):
            problems.append(f"states: {state['code']}: no action leads out of this state")
    for action in data["actions"]:
        where = f"actions: {action['code']}"
        for source in action["from"]:
            if source not in states:
                problems.append(f"{where}: from: {source} is not one of the states")
            elif states[source].get("terminal"):
                problems.append(f"{where}: from: {source} is terminal; nothing may leave it")
        if "to" in action and action["to"] not in states:
            problems.append(f"{where}: to: {action['to']} is not one of the states")
        if "reason_code" in action.get("requires", ()) and not reasons:
            problems.append(f"{where}: requires reason_code but the workflow has no reject_reasons")
        if "system" in action["roles"] and len(action["roles"]) > 1:
            problems.append(f"{where}: an action taken by the system is taken by nobody else")
    if rules := data.get("auto_rules"):
        for key in ("on_pass", "on_fail"):
            action = actions.get(rules[key])
            if action is None:
                problems.append(f"auto_rules: {key}: {rules[key]} is not one of the actions")
            elif action["roles"] != ["system"] or data["initial"] not in action["from"]:
                problems.append(
                    f"auto_rules: {key}: {rules[key]} must be taken by the system from the initial state"
                )
        if rules["reject_reason"] not in reasons:
            problems.append(
                f"auto_rules: reject_reason: {rules['reject_reason']} is not one of the reject_reasons"
            )
    return problems


def check(data: Any, file: str) -> list[Problem]:
    """Every problem of one parsed file."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        return [
            Problem(file, "/".join(str(part) for part in error.absolute_path) or "(file)", error.message)
            for error in errors
        ]
    problems = [] if data["name"] == Path(file).stem else [Problem(file, "name", "must be the file name")]
    for text in _semantic_problems(data):
        where, _sep, reason = text.partition(": ")
        problems.append(Problem(file, where, reason))
    return problems


def read_all(path: Path | None = None) -> tuple[list[Definition], list[Problem]]:
    """Parse every ``*.yaml`` under ``path``: the valid definitions and the problems of the rest."""
    root = Path(path) if path else workflows_dir()
    definitions, problems = [], []
    for file in sorted(root.glob("*.yaml")):
        name = str(file.relative_to(root))
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(Problem(name, "(file)", f"not valid YAML: {exc}"))
            continue
        found = check(data, name)
        if found:
            problems.extend(found)
        else:
            definitions.append(Definition(data["name"], name, data))
    return definitions, problems
