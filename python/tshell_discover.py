"""tshell discover: reads a Temporal Python project's own files and says how it runs.

Parses every module with Python's `ast` (nothing is imported or run) and prints one JSON object:
the worker entry points (`Worker(...)` calls, what they register, their task queue resolved
statically), the starters (`start_workflow` / `execute_workflow` calls), workflow and activity
definitions with file:line, and `[project.scripts]`. Standard library only, any python3 >= 3.8.

usage: python3 tshell_discover.py PROJECT_DIR [--root ENV_ROOT] [--max-files N]
"""
import argparse
import ast
import json
import os
import sys

SKIP_DIRS = {".venv", "venv", "env", ".git", "node_modules", "__pycache__", "site-packages", "build", "dist", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
CLIENT_CALLS = {"start_workflow", "execute_workflow"}


def python_files(root, limit):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                out.append(os.path.join(dirpath, name))
                if len(out) >= limit:
                    return out
    return out


def dotted(node):
    """`a.b.c` of a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def last_name(node):
    d = dotted(node)
    return d.split(".")[-1] if d else None


def kwarg(call, name):
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def str_literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def env_lookup(node):
    """os.environ["X"], os.environ.get("X", d), os.getenv("X", d) -> {env, default}."""
    if isinstance(node, ast.Subscript) and dotted(node.value) in ("os.environ", "environ"):
        key = node.slice
        var = str_literal(key)
        if var:
            return {"env": var}
    if isinstance(node, ast.Call) and dotted(node.func) in ("os.environ.get", "environ.get", "os.getenv", "getenv") and node.args:
        var = str_literal(node.args[0])
        if var:
            default = str_literal(node.args[1]) if len(node.args) > 1 else str_literal(kwarg(node, "default"))
            return {"env": var, "default": default} if default is not None else {"env": var}
    return None


def describe_value(node):
    """What a task_queue= (or constant) expression is, before names are resolved."""
    lit = str_literal(node)
    if lit is not None:
        return {"literal": lit}
    env = env_lookup(node)
    if env:
        return env
    name = dotted(node)
    if name:
        return {"name": name}
    return {"dynamic": ast.unparse(node) if hasattr(ast, "unparse") else "expression"}


def decorator_name(dec):
    target = dec.func if isinstance(dec, ast.Call) else dec
    return dotted(target) or ""


def decorator_kw_name(dec):
    return str_literal(kwarg(dec, "name")) if isinstance(dec, ast.Call) else None


def is_main_guard(node):
    if not isinstance(node, ast.If):
        return False
    t = node.test
    return isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__" and any(str_literal(c) == "__main__" for c in t.comparators)


class Module:
    def __init__(self, root, path, module_root=None):
        self.path = path
        self.rel = os.path.relpath(path, root)
        # Module names count from the environment root (a sample folder in a repository of samples
        # imports itself as `sample.workflows`), file names from the project dir.
        module_root = module_root or root
        parts = os.path.relpath(path, module_root)[:-3].split(os.sep)
        # A src layout: `src/pkg/mod.py` is the module `pkg.mod` (src itself is no package).
        if len(parts) > 1 and parts[0] == "src" and not os.path.exists(os.path.join(module_root, "src", "__init__.py")):
            parts = parts[1:]
        self.is_init = parts[-1] == "__init__"
        self.module = ".".join(parts[:-1] if self.is_init else parts)
        self.constants = {}  # NAME -> (value descriptor, line)
        self.imports = {}  # local name -> (module, attr or None, level)
        self.workflows = []
        self.activities = []
        self.workers = []
        self.starters = []
        self.has_main = False
        self.imported_roots = set()

    def parse(self, tree):
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.constants[node.targets[0].id] = (describe_value(node.value), node.lineno)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                self.constants[node.target.id] = (describe_value(node.value), node.lineno)
            if is_main_guard(node):
                self.has_main = True
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if node.level == 0 and mod:
                    self.imported_roots.add(mod.split(".")[0])
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (mod, alias.name, node.level)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported_roots.add(alias.name.split(".")[0])
                    self.imports[alias.asname or alias.name.split(".")[0]] = (alias.name if alias.asname else alias.name.split(".")[0], None, 0)
            elif isinstance(node, ast.ClassDef):
                self.class_defs(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in node.decorator_list:
                    if decorator_name(dec) in ("activity.defn", "defn") and "activity" in (decorator_name(dec) + self.defn_source()):
                        self.activities.append({"name": decorator_kw_name(dec) or node.name, "function": node.name, "file": self.rel, "line": node.lineno})
            elif isinstance(node, ast.Call):
                self.calls(node)

    def defn_source(self):
        # `from temporalio.activity import defn` makes a bare @defn an activity (workflow classes are
        # handled in class_defs).
        imp = self.imports.get("defn")
        return imp[0] if imp else ""

    def class_defs(self, node):
        wf_name = None
        for dec in node.decorator_list:
            n = decorator_name(dec)
            if n == "workflow.defn" or (n == "defn" and "workflow" in self.defn_source()):
                wf_name = decorator_kw_name(dec) or node.name
        if wf_name is not None:
            params = None
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(decorator_name(d) in ("workflow.run", "run") for d in item.decorator_list):
                    params = max(0, len(item.args.args) - 1)
            # The conditions its code can block on: where a quiet workflow waits, when history can't say.
            waits = []
            for n in ast.walk(node):
                if isinstance(n, ast.Call) and (dotted(n.func) or "").split(".")[-1] == "wait_condition":
                    text = ast.unparse(n)
                    waits.append({"line": n.lineno, "text": text if len(text) <= 100 else text[:99] + "…"})
            self.workflows.append({"name": wf_name, "className": node.name, "file": self.rel, "line": node.lineno, "runParams": params, "waits": waits})
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in item.decorator_list:
                    if decorator_name(dec) == "activity.defn":
                        self.activities.append({"name": decorator_kw_name(dec) or item.name, "function": f"{node.name}.{item.name}", "file": self.rel, "line": item.lineno})

    def calls(self, call):
        fname = dotted(call.func) or ""
        short = fname.split(".")[-1]
        if short == "Worker" and kwarg(call, "task_queue") is not None:
            def names(arg):
                v = kwarg(call, arg)
                if isinstance(v, (ast.List, ast.Tuple)):
                    return [last_name(e) or "?" for e in v.elts]
                return None if v is None else ["*"]
            self.workers.append({"file": self.rel, "line": call.lineno, "taskQueue": describe_value(kwarg(call, "task_queue")), "workflows": names("workflows"), "activities": names("activities")})
        elif short in CLIENT_CALLS:
            wf = call.args[0] if call.args else kwarg(call, "workflow")
            wf_ref = None
            if wf is not None:
                lit = str_literal(wf)
                d = dotted(wf)
                wf_ref = {"literal": lit} if lit else {"name": d.split(".")[-2] if d and d.endswith(".run") and "." in d else d}
            tq = kwarg(call, "task_queue")
            self.starters.append({"file": self.rel, "line": call.lineno, "call": short, "workflow": wf_ref, "taskQueue": describe_value(tq) if tq is not None else None})


class Project:
    def __init__(self, root, files, module_root=None):
        self.root = root
        self.modules = {}
        self.by_module = {}
        self.errors = []
        for path in files:
            m = Module(root, path, module_root)
            try:
                with open(path, encoding="utf-8") as fh:
                    tree = ast.parse(fh.read(), filename=path)
            except (SyntaxError, UnicodeDecodeError, OSError) as err:
                self.errors.append({"file": m.rel, "error": str(err).splitlines()[0]})
                continue
            m.parse(tree)
            self.modules[m.rel] = m
            self.by_module[m.module] = m

    def find_module(self, name, importer, level):
        if level:
            base = importer.module.split(".")
            base = base if importer.is_init else base[:-1]
            base = base[: len(base) - (level - 1)] if level > 1 else base
            name = ".".join([*base, name] if name else base)
        if name in self.by_module:
            return self.by_module[name]
        # A src layout or a sample folder: match on the dotted suffix.
        for mod_name, m in self.by_module.items():
            if mod_name.endswith("." + name):
                return m
        return None

    def resolve(self, desc, module, depth=0):
        """A value descriptor resolved through constants and imports: literal/env with its source."""
        if depth > 4 or desc is None:
            return {"unknown": "too deep"}
        if "literal" in desc or "env" in desc:
            return desc
        if "dynamic" in desc:
            return {"unknown": desc["dynamic"]}
        name = desc["name"]
        head, _, rest = name.partition(".")
        if not rest and head in module.constants:
            value, line = module.constants[head]
            out = self.resolve(value, module, depth + 1)
            out.setdefault("source", f"{module.rel}:{line}")
            return out
        if head in module.imports:
            mod, attr, level = module.imports[head]
            if attr is None or rest:
                # `import pkg.consts` then pkg.consts.X, or `from pkg import consts` then consts.X
                target = self.find_module(f"{mod}.{attr}" if attr else mod, module, level) or self.find_module(mod, module, level)
                key = rest.split(".")[-1] if rest else None
            else:
                target = self.find_module(mod, module, level)
                key = attr
            if target is not None and key:
                return self.resolve({"name": key}, target, depth + 1)
        return {"unknown": name}

    def summary(self):
        workers, starters, workflows, activities = [], [], [], []
        for m in self.modules.values():
            workflows.extend(m.workflows)
            activities.extend(m.activities)
            own_package = m.module.split(".")[0] if "." in m.module else None
            run = {"module": m.module, "file": m.rel, "hasMain": m.has_main, "importsOwnPackage": bool(own_package and own_package in m.imported_roots)}
            for w in m.workers:
                q = self.resolve(w["taskQueue"], m)
                if "source" not in q and ("literal" in q or "env" in q):
                    q["source"] = f"{w['file']}:{w['line']}"
                workers.append({**w, **run, "taskQueue": q})
            for s in m.starters:
                q = self.resolve(s["taskQueue"], m) if s["taskQueue"] else None
                if q is not None and "source" not in q and ("literal" in q or "env" in q):
                    q["source"] = f"{s['file']}:{s['line']}"
                starters.append({**s, **run, "taskQueue": q})
        return {"workers": workers, "starters": starters, "workflows": workflows, "activities": activities, "errors": self.errors}


def project_scripts(root):
    path = os.path.join(root, "pyproject.toml")
    if not os.path.exists(path):
        return {}
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        return {}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, ValueError):
        return {}
    scripts = dict(data.get("project", {}).get("scripts", {}) or {})
    scripts.update(data.get("tool", {}).get("poetry", {}).get("scripts", {}) or {})
    return {k: v for k, v in scripts.items() if isinstance(v, str)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project_dir")
    ap.add_argument("--root", default=None, help="the environment root (pyproject, requirements), if above the project dir")
    ap.add_argument("--max-files", type=int, default=2000)
    ap.add_argument("--files-from-stdin", action="store_true", help="read the file list (JSON array of paths relative to PROJECT_DIR) from stdin")
    args = ap.parse_args()
    root = os.path.abspath(args.project_dir)
    if args.files_from_stdin:
        files = [os.path.join(root, f) for f in json.load(sys.stdin)]
    else:
        files = python_files(root, args.max_files)
    env_root = os.path.abspath(args.root or root)
    inside = os.path.commonpath([env_root, root]) == env_root
    project = Project(root, files, env_root if inside else root)
    out = project.summary()
    out["files"] = len(files)
    out["scripts"] = project_scripts(os.path.abspath(args.root or root))
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
