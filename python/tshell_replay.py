"""tshell replay: replays workflow histories against the project's *current* workflow code.

Run by tshell inside the project's own environment (`uv run python tshell_replay.py ...`), so the
project's modules and its pinned temporalio are the ones used. Workflow classes are found by
scanning the project's modules for `@workflow.defn`, or named with `--workflows module:Class`.
Reads a JSON list of histories (`--histories FILE`) and prints one JSON line per history as it is done.
"""
import argparse
import asyncio
import importlib
import json
import pathlib
import re
import sys
from typing import Any

SKIP_DIRS = {".venv", "venv", "site-packages", "node_modules", "__pycache__", "build", "dist", "tests", "test"}
BUILD_ID = "tshell-replay"
DEFN = re.compile(r"@workflow\.defn\b|@defn\b")


def candidate_modules(root: pathlib.Path) -> list[tuple[pathlib.Path, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if not DEFN.search(text):
            continue
        parts = list(rel.with_suffix("").parts)
        base = root
        if parts and parts[0] == "src":
            parts, base = parts[1:], root / "src"
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found.append((base, ".".join(parts)))
    return found


def workflow_name(cls: Any) -> str | None:
    defn = getattr(cls, "__temporal_workflow_definition", None)
    return getattr(defn, "name", None) if defn is not None else None


def load_workflows(root: pathlib.Path, specs: list[str]) -> tuple[dict[str, Any], list[str]]:
    classes: dict[str, Any] = {}
    problems: list[str] = []
    if specs:
        for spec in specs:
            module_name, _, class_name = spec.partition(":")
            try:
                cls = getattr(importlib.import_module(module_name), class_name)
            except Exception as err:  # noqa: BLE001 - reported to the user as data
                problems.append(f"{spec}: {type(err).__name__}: {err}")
                continue
            name = workflow_name(cls)
            if name is None:
                problems.append(f"{spec} is not a @workflow.defn class")
            else:
                classes[name] = cls
        return classes, problems
    for base, module_name in candidate_modules(root):
        if str(base) not in sys.path:
            sys.path.insert(0, str(base))
        try:
            module = importlib.import_module(module_name)
        except Exception as err:  # noqa: BLE001
            problems.append(f"{module_name}: {type(err).__name__}: {err}")
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                name = workflow_name(value)
                if name is not None:
                    classes.setdefault(name, value)
    return classes, problems


def divergence(message: str) -> dict[str, Any]:
    """The core's non-determinism text and the history event it names, from the eviction dump."""
    out: dict[str, Any] = {}
    m = re.search(r"\[TMPRL1100\] Nondeterminism error: (.*?)(?:\\n|\", |\"\)|$)", message)
    if m:
        out["reason"] = m.group(1).strip()
    ev = re.search(r"HistoryEvent\(id: (\d+), (\w+)\)", message)
    if ev:
        out["eventId"] = int(ev.group(1))
        out["eventType"] = ev.group(2)
    return out


def record(result: dict[str, Any], failure: BaseException | None) -> dict[str, Any]:
    from temporalio.workflow import NondeterminismError

    if failure is None:
        result.update(ok=True)
    else:
        message = str(failure)
        nondeterministic = isinstance(failure, NondeterminismError) or "TMPRL1100" in message
        result.update(ok=False, kind="nondeterminism" if nondeterministic else "failure", errorType=type(failure).__name__, message=message[:4000], **divergence(message))
    return result


async def replay_all(raws: list[dict[str, Any]], classes: dict[str, Any], problems: list[str]) -> None:
    """One Replayer for the whole batch (making one costs more than a replay), one JSON line per history."""
    from temporalio.client import WorkflowHistory
    from temporalio.worker import Replayer

    items = []
    for raw in raws:
        history = WorkflowHistory.from_json(raw.get("workflowId", "replayed"), raw["history"])
        wanted = history.events[0].workflow_execution_started_event_attributes.workflow_type.name
        result: dict[str, Any] = {"workflowId": raw.get("workflowId"), "runId": raw.get("runId"), "workflowType": wanted, "classes": sorted(classes), "problems": problems}
        if wanted not in classes:
            result.update(ok=False, kind="no-class", message=f"no @workflow.defn class named {wanted} in the project")
            print(json.dumps(result), flush=True)
            continue
        items.append((history, result, classes[wanted]))
    if not items:
        return
    used = list({id(cls): cls for _, _, cls in items}.values())
    # A build id given: otherwise the SDK derives one by compiling every loaded module (half a second).
    try:
        replayer = Replayer(workflows=used, build_id=BUILD_ID)
    except Exception:
        # One class the batch needs cannot be loaded: replay each on its own, so the others still get a verdict.
        for history, result, cls in items:
            try:
                replayed = await Replayer(workflows=[cls], build_id=BUILD_ID).replay_workflow(history, raise_on_replay_failure=False)
                print(json.dumps(record(result, replayed.replay_failure)), flush=True)
            except Exception as e:  # noqa: BLE001
                print(json.dumps(record(result, e)), flush=True)
        return

    async def histories():
        for history, _, _ in items:
            yield history

    # The replayer takes the histories one after another, in order: the n-th result is the n-th history's.
    pending = iter(items)
    async with replayer.workflow_replay_iterator(histories()) as results:
        async for replayed in results:
            _, result, _ = next(pending)
            print(json.dumps(record(result, replayed.replay_failure)), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--histories", required=True, help="a JSON list of {workflowId, runId, history}; one JSON line each")
    parser.add_argument("--project", required=True)
    parser.add_argument("--workflows", action="append", default=[])
    args = parser.parse_args()

    classes, problems = load_workflows(pathlib.Path(args.project), args.workflows)
    await replay_all(json.loads(pathlib.Path(args.histories).read_text(encoding="utf-8")), classes, problems)


asyncio.run(main())
