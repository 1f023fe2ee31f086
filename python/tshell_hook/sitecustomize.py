"""tshell's worker report, loaded as ``sitecustomize`` in the workers tshell starts (its folder is put
first on PYTHONPATH, the way ``opentelemetry-instrument`` loads its hook).

When the project's code constructs a ``temporalio.worker.Worker`` it appends one JSON line to the file
named by ``TSHELL_WORKER_REPORT``: what that worker really is (client target and namespace, task queue,
identity, the workflow and activity names the server will see, the SDK version), then a line when it
starts running (with the source files it has loaded outside the Python environment, and those its
workflow classes are defined in or use, which ``tshell dev`` watches) and one when it stops. It never changes what the worker does and fails open: any error
here is swallowed, and the project's own ``sitecustomize`` (the next one on sys.path) still loads.
"""

import importlib.abc
import importlib.util
import json
import os
import sys
import time

_REPORT = os.environ.get("TSHELL_WORKER_REPORT")
_HERE = os.path.dirname(os.path.abspath(__file__))


def _write(line):
    try:
        line["pid"] = os.getpid()
        line["time"] = time.time()
        fd = os.open(_REPORT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(line) + "\n").encode())
        finally:
            os.close(fd)
    except Exception:
        pass


def _name(obj, attr):
    defn = getattr(obj, attr, None)
    name = getattr(defn, "name", None)
    return name if isinstance(name, str) else getattr(obj, "__name__", str(obj))


def _sdk_version():
    try:
        from importlib.metadata import version

        return version("temporalio")
    except Exception:
        return None


def _describe(worker, client, kwargs):
    config = getattr(worker, "_config", None)
    config = config if isinstance(config, dict) else {}
    get = lambda key: config.get(key, kwargs.get(key))  # noqa: E731
    service = getattr(client, "service_client", None)
    target = getattr(getattr(service, "config", None), "target_host", None)
    return {
        "event": "worker",
        "taskQueue": get("task_queue"),
        "namespace": getattr(client, "namespace", None),
        "target": target,
        "identity": get("identity") or getattr(client, "identity", None),
        "workflows": [_name(w, "__temporal_workflow_definition") for w in (get("workflows") or [])],
        "activities": [_name(a, "__temporal_activity_definition") for a in (get("activities") or [])],
        "sdk": _sdk_version(),
    }


def _environment_prefixes():
    import site

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, _HERE}
    try:
        paths.update(site.getsitepackages())
    except Exception:
        pass
    return tuple(os.path.abspath(p) + os.sep for p in paths if p)


def _source(obj):
    """The .py file an object (module, class, function) comes from, if any."""
    module = obj if isinstance(obj, type(sys)) else sys.modules.get(getattr(obj, "__module__", None) or "")
    path = getattr(module, "__file__", None)
    return os.path.abspath(path) if isinstance(path, str) and path.endswith(".py") else None


def _loaded_files(workflows):
    """Files loaded from outside the environment, and those the workflow classes live in or use."""
    outside = _environment_prefixes()
    mine = lambda f: f is not None and not f.startswith(outside)  # noqa: E731
    files = sorted({f for f in (_source(m) for m in list(sys.modules.values())) if mine(f)})
    workflow_files = set()
    for cls in workflows or []:
        module = sys.modules.get(getattr(cls, "__module__", None) or "")
        if module is None:
            continue
        workflow_files.add(_source(module))
        # What the workflow module uses (its imports, one level): a change there changes the workflow.
        # Activities it names are not: workflow code only schedules them, and they are not replayed.
        for value in list(vars(module).values()):
            if not hasattr(value, "__temporal_activity_definition"):
                workflow_files.add(_source(value))
    return files, sorted(f for f in workflow_files if mine(f))


def _patch(module):
    worker_class = getattr(module, "Worker", None)
    if worker_class is None:
        return
    original_init = worker_class.__init__
    original_run = worker_class.run

    def __init__(self, client, *args, **kwargs):
        original_init(self, client, *args, **kwargs)
        try:
            config = getattr(self, "_config", None)
            self._tshell_workflows = list((config if isinstance(config, dict) else kwargs).get("workflows") or kwargs.get("workflows") or [])
            self._tshell_report = _describe(self, client, kwargs)
            _write(dict(self._tshell_report))
        except Exception:
            pass

    def _event(self, event):
        report = getattr(self, "_tshell_report", None)
        line = {"event": event, "taskQueue": (report or {}).get("taskQueue"), "identity": (report or {}).get("identity")}
        if event == "running":
            try:
                line["files"], line["workflowFiles"] = _loaded_files(getattr(self, "_tshell_workflows", None))
            except Exception:
                pass
        _write(line)

    async def run(self, *args, **kwargs):
        _event(self, "running")
        try:
            return await original_run(self, *args, **kwargs)
        finally:
            _event(self, "stopped")

    worker_class.__init__ = __init__
    worker_class.run = run
    original_aenter = getattr(worker_class, "__aenter__", None)
    if original_aenter is not None:

        async def __aenter__(self, *args, **kwargs):
            _event(self, "running")
            return await original_aenter(self, *args, **kwargs)

        worker_class.__aenter__ = __aenter__


class _WorkerModuleFinder(importlib.abc.MetaPathFinder):
    """Patches temporalio's Worker right after its module runs, once, then steps aside."""

    TARGET = "temporalio.worker._worker"

    def find_spec(self, name, path=None, target=None):
        if name != self.TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module):
            original_exec(module)
            try:
                _patch(module)
            except Exception:
                pass

        loader.exec_module = exec_module
        return spec


def _load_project_sitecustomize():
    """The next ``sitecustomize`` on sys.path (the project's or its environment's) still runs."""
    for entry in sys.path:
        folder = os.path.abspath(entry or os.getcwd())
        if folder == _HERE:
            continue
        candidate = os.path.join(folder, "sitecustomize.py")
        if os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("sitecustomize", candidate)
            if spec and spec.loader:
                module = importlib.util.module_from_spec(spec)
                sys.modules["sitecustomize"] = module
                spec.loader.exec_module(module)
            return


if _REPORT:
    try:
        sys.meta_path.insert(0, _WorkerModuleFinder())
    except Exception:
        pass
_load_project_sitecustomize()
