"""tshell warm: a Python that has paid for its imports, for ``tshell dev``'s checks and replays.

Started once in the worker's environment, it imports the Temporal SDK and then runs each request (one
of tshell's scripts with its arguments) in a fork of itself: the script starts with the SDK loaded,
while the project's own modules are imported afresh in every child, so the code just saved is the code
checked. The parent never starts a thread or an event loop, which keeps the fork safe.

Requests and answers are JSON lines, one at a time:
    stdin  {"id": 1, "script": PATH, "args": [...], "cwd": DIR, "env": {...}, "out": FILE, "err": FILE}
    stdout {"id": 1, "pid": CHILD}            when the child started (tshell may kill it on a timeout)
    stdout {"id": 1, "exit": CODE}            when it ended; its output is in FILE and ERR
"""
import json
import os
import runpy
import sys
import traceback

import asyncio  # noqa: F401 - loaded here so that each child does not pay for it
import temporalio.client  # noqa: F401
import temporalio.converter  # noqa: F401
import temporalio.worker  # noqa: F401
import temporalio.workflow  # noqa: F401


def child(req):
    for stream, path in ((1, req["out"]), (2, req["err"])):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, stream)
        os.close(fd)
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    sys.argv = [req["script"], *req["args"]]
    code = 0
    try:
        runpy.run_path(req["script"], run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr, as a fresh interpreter would
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main():
    answers = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(req)
        answers.write(json.dumps({"id": req["id"], "pid": pid}) + "\n")
        answers.flush()
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"id": req["id"], "exit": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
