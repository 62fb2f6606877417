"""The composition root's error translator: an outage escaping an adapter is a 503 problem."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient

from budget.domain.errors import DomainError, StorageUnavailableError
from budget.entrypoints.http.problems import EXCEPTION_HANDLERS, translating


class DriverOutageError(Exception):
    """Stands in for a raw driver error the adapters failed to translate."""


def outage_only(error: Exception) -> DomainError | None:
    return StorageUnavailableError() if isinstance(error, DriverOutageError) else None


@get("/outage", sync_to_thread=False)
def outage() -> None:
    raise DriverOutageError("connection refused")


@get("/bug", sync_to_thread=False)
def bug() -> None:
    raise RuntimeError("SELECT secret FROM internals")


def client() -> TestClient[Litestar]:
    handlers = {**EXCEPTION_HANDLERS, Exception: translating(outage_only)}
    app = Litestar([outage, bug], exception_handlers=handlers, logging_config=None)
    return TestClient(app, raise_server_exceptions=False)


def test_a_translated_error_answers_its_domain_problem() -> None:
    with client() as test_client:
        response = test_client.get("/outage")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"


def test_an_untranslated_error_stays_a_bare_500() -> None:
    with client() as test_client:
        response = test_client.get("/bug")

    assert response.status_code == 500
    assert response.json()["detail"] == "An unexpected error occurred."
    assert "SELECT" not in response.text
