"""The HTTP server process: Granian and nothing else until a worker loads the app.

``budget serve`` migrates and prepares in its own process, then replaces itself with this
module (``os.execv``), so the process that supervises the workers holds only Granian:
the migrations, Alembic and the app's modules are never loaded there, and each worker
imports the app itself (``budget.entrypoints.asgi:create``). Import nothing from
``budget`` here beyond this module: whatever this process loads, it keeps for its
lifetime (docs/adr/0009).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

APP = "budget.entrypoints.asgi:create"


def command(host: str, port: int, workers: int) -> list[str]:
    """The argument vector that starts this module with the current interpreter."""
    return [
        sys.executable,
        "-m",
        __name__,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    parser = argparse.ArgumentParser(prog="budget-server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)
    Granian(
        APP,
        factory=True,
        address=args.host,
        port=args.port,
        workers=args.workers,
        interface=Interfaces.ASGI,
        log_access=False,
    ).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
