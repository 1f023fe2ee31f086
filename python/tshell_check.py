"""tshell check: does changed source still compile and import? Run by ``tshell dev`` before it stops
the old worker, in the worker's own environment, with the worker's working directory and path.

    python tshell_check.py FILE...

Prints one JSON line: {"ok": true}, or the first problem as {"ok": false, "file", "line", "message"},
``line`` being the line in the user's code where it happened (for an import error: the innermost frame
in one of the checked files, else in any file outside the Python environment). A module that does work
when imported (a top-level call, like an unguarded ``asyncio.run(main())`` worker script) is only
compiled: importing it would run it. Nothing is written: bytecode goes where PYTHONPYCACHEPREFIX says.
"""
import ast
import importlib
import json
import os
import sys
import traceback


def module_name(path):
    """The dotted name ``path`` imports as, from the longest sys.path entry that holds it."""
    best = None
    for entry in sys.path:
        root = os.path.abspath(entry or os.getcwd()) + os.sep
        if path.startswith(root) and (best is None or len(root) > len(best)):
            best = root
    if best is None:
        return None
    parts = os.path.relpath(path, best)[: -len(".py")].split(os.sep)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def outside_environment(filename):
    prefixes = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    return not os.path.abspath(filename).startswith(prefixes) and not filename.startswith("<")


def report(ok, **fields):
    print(json.dumps({"ok": ok, **fields}), flush=True)
    sys.exit(0)


def does_work_at_import(tree):
    return any(isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)) for node in tree.body)


def main(files):
    files = [os.path.abspath(f) for f in files]
    importable = []
    for path in files:
        try:
            with open(path, "rb") as f:
                source = f.read()
            compile(source, path, "exec")
        except SyntaxError as e:
            report(False, file=path, line=e.lineno, message=f"{type(e).__name__}: {e.msg}")
        except OSError as e:
            report(False, file=path, message=f"{type(e).__name__}: {e.strerror}")
        if not does_work_at_import(ast.parse(source, path)):
            importable.append(path)
    for path in importable:
        name = module_name(path)
        if name is None or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except BaseException as e:  # noqa: BLE001 - any error at import time keeps the old worker
            frames = traceback.extract_tb(e.__traceback__)
            mine = [f for f in frames if os.path.abspath(f.filename) in files] or [f for f in frames if outside_environment(f.filename)]
            where = mine[-1] if mine else (frames[-1] if frames else None)
            report(False, file=where.filename if where else path, line=where.lineno if where else None, message=f"{type(e).__name__}: {e}", module=name)
    report(True)


if __name__ == "__main__":
    main(sys.argv[1:])
