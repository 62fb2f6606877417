"""The landing page and the docs in a real headless browser (the distribution's Chromium).

A ``budget serve`` process on a free port and a SQLite file of its own; Chromium runs with
every host but 127.0.0.1 unresolvable, as on a machine with no internet access. Skipped
where Chromium is missing, except in CI (``CI=true``), where that is a failure:
``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import budget

OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
BROWSER_TIMEOUT_SECONDS = 90


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (.ci/run installs it with apt-get)")
        pytest.skip("Chromium is not installed")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"budget serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/up", timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("budget serve did not answer /up in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``budget serve`` on a free port over a fresh SQLite file; its base URL."""
    _chromium()
    folder = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {
        **os.environ,
        "BUDGET_ENV": "test",
        "BUDGET_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'budget.sqlite3'}",
        "BUDGET_SECRET_KEY": "browser-test-secret-that-is-long-enough-0123456789",
        "BUDGET_RATE_LIMIT_PER_MINUTE": "0",
        "BUDGET_ACCESS_LOG": "false",
    }
    command = [str(Path(sys.executable).with_name("budget")), "serve", "--migrate"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _browse(*arguments: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            OFFLINE,
            *arguments,
        ],
        capture_output=True,
        timeout=BROWSER_TIMEOUT_SECONDS,
        check=True,
        cwd=cwd,
    )
    return done.stdout.decode("utf-8", "replace")


def _dom(url: str) -> str:
    return _browse("--virtual-time-budget=5000", "--dump-dom", url)


def test_the_landing_page_shows_the_version_and_the_readiness(server: str) -> None:
    dom = _dom(server + "/")

    assert f'<strong id="version">{budget.__version__}</strong>' in dom
    assert '<strong id="ready-status">ok</strong>' in dom
    assert 'href="/schema/swagger"' in dom


def test_the_landing_page_does_not_render_blank(server: str, tmp_path: Path) -> None:
    shot = tmp_path / "landing.png"

    _browse("--window-size=800,600", f"--screenshot={shot}", server + "/", cwd=tmp_path)

    width, height, colours = png_colours(shot.read_bytes())
    assert (width, height) == (800, 600)
    assert len(colours) >= 20


def test_swagger_ui_renders_the_operations_offline(server: str) -> None:
    dom = _dom(server + "/schema/swagger")

    assert 'class="swagger-ui' in dom
    assert "opblock-summary-path" in dom
    assert "/api/v1/accounts" in dom


def test_scalar_renders_the_reference_offline(server: str) -> None:
    dom = _dom(server + "/schema/scalar")

    assert "Liveness: the process answers (no database)" in dom


# --- a PNG decoder (standard library only) -------------------------------------------------


def png_colours(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct pixel colours of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    width = height = channels = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour_type]
        elif kind == b"IDAT":
            idat += body
    rows = _unfilter(zlib.decompress(idat), width * channels, height, channels)
    colours = {bytes(row[x : x + channels]) for row in rows for x in range(0, len(row), channels)}
    return width, height, colours


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytearray]:
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + _paeth(left, up, corner)) & 0xFF
        rows.append(row)
        previous = row
    return rows


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c
