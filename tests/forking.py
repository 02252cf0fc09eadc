"""The job loop of the crash tests' warm child processes (run with `python -c`): for each JSON
line on stdin, fork a grandchild that runs one job, SIGKILL it after the job's `kill_after`
seconds, and answer one JSON line. Forking a warm process makes a trial cost milliseconds instead
of the second an import takes. Usage, in the child: `serve(lambda job: build(job))`."""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def serve(run) -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                run(job)
                code = 0
            except BaseException as exc:
                print(repr(exc), file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        started, deadline = time.perf_counter(), job.get("kill_after")
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if deadline is not None and time.perf_counter() - started >= deadline:
                os.kill(pid, signal.SIGKILL)  # not yet reaped: the pid is still this child's
                done, status = os.waitpid(pid, 0)
                break
            time.sleep(0.001)
        seconds = time.perf_counter() - started
        if os.WIFSIGNALED(status):
            reply = {"outcome": "killed", "signal": os.WTERMSIG(status), "seconds": seconds}
        else:
            reply = {"outcome": "finished" if os.WEXITSTATUS(status) == 0 else "failed", "seconds": seconds}
        print(json.dumps(reply), flush=True)
