"""Drives a command in a pseudo-terminal for REPL and wizard tests (no native Node module needed).

Reads a JSON spec on stdin: {"argv": [...], "cwd": "...", "env": {...}, "steps": [{"expect": regex,
"exec": argv, "send": text, "timeout": seconds}], "exitTimeout": seconds}. Each step waits until the cleaned
output (ANSI escapes removed) after the previous match matches `expect`, then types `send`.
Prints JSON: {"ok", "failedStep", "transcript", "exitCode", "pid"}.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]|\r")


BACKSPACED = re.compile(r"[^\x08\n]\x08")


def clean(raw: bytes) -> str:
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    # Apply backspaces (line editors move the cursor back and rewrite): "stld\b\balled" is "stalled".
    while True:
        applied = BACKSPACED.sub("", text)
        if applied == text:
            return applied.replace("\x08", "")
        text = applied


def main() -> None:
    spec = json.load(sys.stdin)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(spec["cwd"])
        os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    raw = b""
    pos = 0
    failed = None

    def pump(timeout: float) -> bool:
        nonlocal raw
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        raw += chunk
        return True

    for i, step in enumerate(spec["steps"]):
        rx = re.compile(step["expect"], re.S)
        deadline = time.time() + step.get("timeout", 60)
        alive = True
        while True:
            m = rx.search(clean(raw), pos)
            if m:
                pos = m.end()
                break
            if time.time() > deadline or not alive:
                failed = i
                break
            alive = pump(0.1)
        if failed is not None:
            break
        if "exec" in step:
            # The developer's part of a scripted session (editing code), run without a shell.
            done = subprocess.run(step["exec"], capture_output=True, text=True)
            if done.returncode != 0:
                raw += f"\n[pty driver: {step['exec']} failed: {done.stderr.strip()}]\n".encode()
                failed = i
                break
        if "send" in step:
            time.sleep(step.get("delay", 0.15))
            os.write(fd, step["send"].encode())
    code = None
    deadline = time.time() + (spec.get("exitTimeout", 30) if failed is None else 1)
    while time.time() < deadline:
        pump(0.1)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
    if code is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    while pump(0.05) and select.select([fd], [], [], 0)[0]:
        pass
    print(json.dumps({"ok": failed is None and code is not None, "failedStep": failed, "transcript": clean(raw), "exitCode": code, "pid": pid}))


main()
