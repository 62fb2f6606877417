"""The server's supervisor process loads Granian and nothing of the app (docs/adr/0009)."""

from __future__ import annotations

import subprocess
import sys

from budget.entrypoints import server

HEAVY = ("sqlalchemy", "litestar", "alembic", "budget.adapters", "budget.domain")


def loaded_after_importing_the_server_module() -> set[str]:
    probe = "import sys, budget.entrypoints.server as s; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_server_module_loads_none_of_the_app() -> None:
    loaded = loaded_after_importing_the_server_module()

    assert sorted(name for name in loaded if name.startswith(HEAVY)) == []


def test_the_server_command_runs_the_server_module_with_this_interpreter() -> None:
    argv = server.command("192.0.2.7", 8000, 3)

    assert argv == [
        sys.executable,
        "-m",
        "budget.entrypoints.server",
        "--host",
        "192.0.2.7",
        "--port",
        "8000",
        "--workers",
        "3",
    ]
