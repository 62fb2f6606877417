#!/usr/bin/env python3
"""Bootstrap and day-to-day commands for a fresh clone; needs only Python 3.11+ and pip.

    python3 dev.py serve [budget serve options]   run the API (SQLite by default)
    python3 dev.py test [pytest options/paths]    run the whole test suite (with coverage)
    python3 dev.py check                          ruff, ruff format --check, mypy, lint-imports
    python3 dev.py all [pytest options/paths]     check, then (if it passed) test

Every command first makes sure ``.venv`` holds exactly what ``uv.lock`` pins: it creates the
virtual environment with ``venv`` if needed, installs uv into it with pip, and runs
``uv sync --frozen``. Standard library only, so it runs before anything is installed.
"""

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - the point is to say so clearly on old Pythons
    sys.exit(
        "Budget needs Python 3.11 or newer; this is Python "
        + ".".join(str(part) for part in sys.version_info[:3])
        + f" at {sys.executable}. Run dev.py with a newer interpreter, e.g. python3.11 dev.py"
    )

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if WINDOWS else "bin")
TEST_PATHS = ("tests/unit", "tests/integration")
PYTEST_NO_TESTS = 5


def tool(name: str) -> Path:
    """An executable inside the project's virtual environment."""
    return BIN / (name + ".exe" if WINDOWS else name)


def show(command: Sequence[str | Path]) -> list[str]:
    words = [str(word) for word in command]
    print("+ " + shlex.join(words), file=sys.stderr, flush=True)
    return words


def run(command: Sequence[str | Path], env: dict[str, str] | None = None) -> None:
    """Print and run a command; raise CalledProcessError when it fails."""
    subprocess.run(show(command), check=True, cwd=ROOT, env=env)  # noqa: S603


def locked_uv_version() -> str | None:
    """The uv version pinned in uv.lock, so pip installs the one `uv sync` would keep."""
    import tomllib  # here, not at the top: the version check must run first on old Pythons

    try:
        lock = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    for package in lock.get("package", []):
        if package.get("name") == "uv":
            return str(package["version"])
    return None


def ensure_environment() -> None:
    """Create .venv if missing, install uv into it, and sync it with uv.lock."""
    python = tool("python")
    if not python.exists():
        run([sys.executable, "-m", "venv", VENV])
    uv = tool("uv")
    if not uv.exists():
        if subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [python, "-m", "pip", "--version"], capture_output=True, check=False
        ).returncode:
            # A venv made by uv has no pip; ensurepip puts one in.
            run([python, "-m", "ensurepip", "--upgrade"])
        version = locked_uv_version()
        uv_requirement = f"uv=={version}" if version else "uv"
        run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", uv_requirement])
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV))
    env.pop("VIRTUAL_ENV", None)  # another activated venv would only make uv warn
    run([uv, "sync", "--frozen", "--python", python], env=env)


def serve(args: list[str]) -> int:
    defaults = {"--host": "127.0.0.1", "--port": "8000"}
    command = [str(tool("budget")), "serve"]
    for option, value in defaults.items():
        if not any(arg == option or arg.startswith(option + "=") for arg in args):
            command += [option, value]
    command = show([*command, *args])
    if WINDOWS:
        return subprocess.run(command, check=False, cwd=ROOT).returncode  # noqa: S603
    os.execv(command[0], command)  # noqa: S606 - replace this process: signals go to the server
    return 0  # not reached


def names_a_path(argument: str) -> bool:
    return not argument.startswith("-") and (ROOT / argument.split("::", 1)[0]).exists()


def test(args: list[str]) -> int:
    """Run pytest in parallel (one worker per core); with no paths given, over the unit and
    integration suites, measuring branch coverage of ``src/`` with its floor (pyproject.toml,
    ``[tool.coverage]``): below it the run fails."""
    command: list[str | Path] = [tool("pytest")]
    if not any(arg.startswith(("-q", "-v", "--quiet", "--verbose")) for arg in args):
        command.append("-q")
    if not any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in args):
        command += ["-n", "auto"]
    whole_suite = not any(names_a_path(arg) for arg in args)
    if whole_suite and "--no-cov" not in args:
        command += ["--cov", "--cov-report=term:skip-covered"]
    command += args
    if whole_suite:
        command += TEST_PATHS
    code = subprocess.run(show(command), check=False, cwd=ROOT).returncode  # noqa: S603
    if code == PYTEST_NO_TESTS:
        print("pytest collected no tests: that counts as a failure", file=sys.stderr)
    return code


def check() -> int:
    """Run every static check, report all failures, and fail if any failed."""
    steps: dict[str, list[str | Path]] = {
        "ruff check": [tool("ruff"), "check", "."],
        "ruff format": [tool("ruff"), "format", "--check", "."],
        "mypy": [tool("mypy")],
        "lint-imports": [tool("lint-imports")],
    }
    failed = []
    for name, command in steps.items():
        try:
            run(command)
        except subprocess.CalledProcessError:
            failed.append(name)
    if failed:
        print("check failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    print("check passed", file=sys.stderr)
    return 0


USAGE = __doc__.split("\n\n", 2)[1] if __doc__ else ""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "check", "all"}:
        print("usage:\n" + USAGE, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    os.chdir(ROOT)
    command, args = argv[0], argv[1:]
    try:
        ensure_environment()
    except subprocess.CalledProcessError as error:
        print(f"setting up .venv failed (exit code {error.returncode})", file=sys.stderr)
        return error.returncode or 1
    if command == "serve":
        return serve(args)
    if command == "test":
        return test(args)
    if command == "check":
        return check()
    return check() or test(args)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
