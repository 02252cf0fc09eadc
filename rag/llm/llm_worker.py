"""Child process of `LocalLLMServer`: runs llama.cpp's HTTP server (xllamacpp) until stdin closes.

Run by file path, so it imports nothing of the project. Protocol:
- stdin, first line: JSON config {model, n_ctx, slots, threads, api_key, alias, cache_ram_mib}
  (n_ctx is the whole context, which llama.cpp divides among the slots)
- stdout, one line: {"address": "http://127.0.0.1:PORT"} once the model is loaded, or {"error": ...}
- stdin EOF (the parent closed it, exited or died): shut down.
The API key travels on stdin, not argv, so other users cannot read it from the process list.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    config = json.loads(sys.stdin.readline())
    # Idle OpenMP threads sleep instead of spinning. Measured on 2 cores: 25% slower generation on
    # an idle machine (13.5 -> 10 tokens/s), but 10x faster when other work shares the cores
    # (0.4 -> 4 tokens/s), e.g. embedding another user's question. Must be set before the import.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = config["model"]
        params.n_ctx = config["n_ctx"]
        params.cpuparams.n_threads = config["threads"]
        params.cpuparams_batch.n_threads = config["threads"]
        # answers decoded together, each new request joining the running batch (continuous batching)
        params.n_parallel = config.get("slots", 1)
        params.cont_batching = True
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # the OS picks a free port: no race between probing and binding
        params.api_keys = [config["api_key"]]
        params.model_alias = {config["alias"]}
        params.cache_ram_mib = config["cache_ram_mib"]  # llama.cpp's default keeps up to 8 GB of old prompts
        params.ui = False
        params.endpoint_slots = False
        params.cors_origins = ""  # no browser page may call this server
        server = xlc.Server(params)  # returns once the model is loaded and the socket listens
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises a project error
        _reply({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    _reply({"address": server.listening_address})
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nobody reads stdout any more: a full pipe would block
    sys.stdin.read()  # blocks until the parent closes stdin or dies
    del server
    return 0


def _reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: nothing is left to flush and native threads can stall it
