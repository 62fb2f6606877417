"""Settings from BUDGET_* variables and .env: defaults, validation, and the dev secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from budget.settings import (
    DEFAULT_SQLITE_URL,
    Environment,
    JwtAlgorithm,
    Settings,
    SettingsError,
    ensure_secret,
    load_settings,
    sqlite_path,
)

GOOD_SECRET = "s" * 32
PRODUCTION = {
    "BUDGET_ENV": "production",
    "BUDGET_SECRET_KEY": GOOD_SECRET,
    "BUDGET_DATABASE_URL": "postgresql+asyncpg://budget@db/budget",
}


def _error(environ: dict[str, str], dotenv: Path | None = None) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ=environ, dotenv=dotenv)
    return str(caught.value)


def test_the_defaults_run_anywhere_on_sqlite() -> None:
    settings = load_settings(environ={}, dotenv=None)

    assert settings.database_url == DEFAULT_SQLITE_URL
    assert sqlite_path(settings.database_url) == Path("budget.sqlite3")
    assert settings.env is Environment.DEVELOPMENT
    assert not settings.debug
    assert settings.jwt_algorithm is JwtAlgorithm.HS256
    assert (settings.access_token_ttl_seconds, settings.refresh_token_ttl_seconds) == (
        900,
        7 * 24 * 3600,
    )


def test_variables_without_the_prefix_are_ignored() -> None:
    settings = load_settings(environ={"DATABASE_URL": "mysql://nope", "DEBUG": "x"}, dotenv=None)

    assert settings.database_url == DEFAULT_SQLITE_URL


def test_each_kind_of_value_is_converted() -> None:
    settings = load_settings(
        environ={
            "BUDGET_ENV": "Test",
            "BUDGET_DEBUG": "yes",
            "BUDGET_DATABASE_POOL_SIZE": "3",
            "BUDGET_DATABASE_CONNECT_TIMEOUT_SECONDS": "1.5",
            "BUDGET_CORS_ORIGINS": "https://a.example, https://b.example,",
            "BUDGET_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        },
        dotenv=None,
    )

    assert settings.env is Environment.TEST
    assert settings.debug is True
    assert settings.database_pool_size == 3
    assert settings.database_connect_timeout_seconds == 1.5
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert sqlite_path(settings.database_url) is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BUDGET_DATABASE_POOL_SIZE", "ten"),
        ("BUDGET_DATABASE_POOL_SIZE", "0"),
        ("BUDGET_ACCESS_TOKEN_TTL_SECONDS", "1.5"),
        ("BUDGET_LOGIN_MAX_FAILURES_PER_ACCOUNT", "-1"),
        ("BUDGET_DATABASE_CONNECT_TIMEOUT_SECONDS", "soon"),
        ("BUDGET_DATABASE_STATEMENT_TIMEOUT_SECONDS", "0"),
        ("BUDGET_DEBUG", "maybe"),
        ("BUDGET_ACCESS_LOG", "2"),
        ("BUDGET_ENV", "staging"),
        ("BUDGET_JWT_ALGORITHM", "none"),
        ("BUDGET_DATABASE_URL", "mysql://budget@db/budget"),
        ("BUDGET_DATABASE_URL", "postgresql://budget@db/budget"),
        ("BUDGET_DATABASE_URL", "sqlite:///budget.sqlite3"),
        ("BUDGET_SECRET_KEY", "too-short"),
        ("BUDGET_RATE_LIMIT_PER_MINUTE", "-1"),
        ("BUDGET_RATE_LIMIT_PER_MINUTE", "lots"),
        ("BUDGET_REDIS_URL", "localhost:6379"),
    ],
)
def test_a_bad_value_is_an_error_naming_its_variable(variable: str, value: str) -> None:
    message = _error({variable: value})

    assert variable in message


def test_every_bad_variable_is_named_at_once() -> None:
    message = _error({"BUDGET_DEBUG": "maybe", "BUDGET_DATABASE_POOL_SIZE": "ten"})

    assert "BUDGET_DEBUG" in message
    assert "BUDGET_DATABASE_POOL_SIZE" in message


def test_a_key_pair_algorithm_needs_readable_key_files(tmp_path: Path) -> None:
    message = _error(
        {
            "BUDGET_JWT_ALGORITHM": "RS256",
            "BUDGET_JWT_PRIVATE_KEY_FILE": str(tmp_path / "missing.pem"),
        }
    )

    assert "BUDGET_JWT_PRIVATE_KEY_FILE" in message
    assert "BUDGET_JWT_PUBLIC_KEY_FILE" in message


def test_a_sound_production_configuration_loads() -> None:
    settings = load_settings(environ=PRODUCTION, dotenv=None)

    assert settings.is_production
    assert settings.secret_key == GOOD_SECRET


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"BUDGET_SECRET_KEY": ""}, "BUDGET_SECRET_KEY"),
        ({"BUDGET_SECRET_KEY": "s" * 31}, "BUDGET_SECRET_KEY"),
        ({"BUDGET_DEBUG": "true"}, "BUDGET_DEBUG"),
        (
            {"BUDGET_CORS_ORIGINS": "*", "BUDGET_CORS_ALLOW_CREDENTIALS": "true"},
            "BUDGET_CORS_ORIGINS",
        ),
    ],
    ids=["missing-secret", "short-secret", "debug", "wildcard-cors-with-credentials"],
)
def test_production_refuses_an_unsafe_setting_naming_its_variable(
    changes: dict[str, str], variable: str
) -> None:
    message = _error({**PRODUCTION, **changes})

    assert variable in message


def test_production_without_a_secret_key_variable_at_all_is_refused() -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != "BUDGET_SECRET_KEY"}

    assert "BUDGET_SECRET_KEY" in _error(environ)


def _key_pair_files(tmp_path: Path) -> dict[str, str]:
    private_file, public_file = tmp_path / "jwt.pem", tmp_path / "jwt.pub.pem"
    private_file.write_text("private", "utf-8")
    public_file.write_text("public", "utf-8")
    return {
        "BUDGET_JWT_ALGORITHM": "EdDSA",
        "BUDGET_JWT_PRIVATE_KEY_FILE": str(private_file),
        "BUDGET_JWT_PUBLIC_KEY_FILE": str(public_file),
    }


def test_production_with_a_key_pair_still_needs_a_secret_key(tmp_path: Path) -> None:
    # The secret also keys the HMAC of list cursors; an empty one would make them forgeable.
    environ = {**PRODUCTION, **_key_pair_files(tmp_path), "BUDGET_SECRET_KEY": ""}

    assert "BUDGET_SECRET_KEY" in _error(environ)


def test_production_with_a_key_pair_and_a_secret_key_loads(tmp_path: Path) -> None:
    settings = load_settings(environ={**PRODUCTION, **_key_pair_files(tmp_path)}, dotenv=None)

    assert settings.jwt_algorithm is JwtAlgorithm.EDDSA


def test_wildcard_cors_without_credentials_is_allowed_in_production() -> None:
    settings = load_settings(environ={**PRODUCTION, "BUDGET_CORS_ORIGINS": "*"}, dotenv=None)

    assert settings.cors_origins == ("*",)


def test_debug_is_allowed_outside_production() -> None:
    assert load_settings(environ={"BUDGET_DEBUG": "on"}, dotenv=None).debug


def test_a_dotenv_file_is_read(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# local settings\n"
        "\n"
        "BUDGET_DATABASE_POOL_SIZE=4\n"
        'export BUDGET_JWT_ISSUER="my-budget"\n'
        "BUDGET_LOG_LEVEL='DEBUG'\n"
        "not a setting\n",
        "utf-8",
    )

    settings = load_settings(environ={}, dotenv=dotenv)

    assert settings.database_pool_size == 4
    assert settings.jwt_issuer == "my-budget"
    assert settings.log_level == "DEBUG"


def test_environment_variables_win_over_the_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("BUDGET_DATABASE_POOL_SIZE=4\nBUDGET_JWT_ISSUER=from-file\n", "utf-8")

    settings = load_settings(environ={"BUDGET_DATABASE_POOL_SIZE": "7"}, dotenv=dotenv)

    assert settings.database_pool_size == 7
    assert settings.jwt_issuer == "from-file"


def test_a_bad_value_in_the_dotenv_file_is_named_too(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("BUDGET_DEBUG=perhaps\n", "utf-8")

    assert "BUDGET_DEBUG" in _error({}, dotenv)


def test_a_missing_dotenv_file_is_not_an_error(tmp_path: Path) -> None:
    settings = load_settings(environ={}, dotenv=tmp_path / "absent.env")

    assert settings.database_url == DEFAULT_SQLITE_URL


def _sqlite_settings(tmp_path: Path, **fields: object) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'budget.sqlite3'}", **fields)  # type: ignore[arg-type]


def test_ensure_secret_creates_a_secret_file_beside_the_sqlite_database(tmp_path: Path) -> None:
    settings = ensure_secret(_sqlite_settings(tmp_path))

    secret_file = tmp_path / "budget.sqlite3.secret"
    assert secret_file.read_text("utf-8").strip() == settings.secret_key
    assert len(settings.secret_key.encode()) >= 32


def test_ensure_secret_reuses_the_same_secret_on_the_next_call(tmp_path: Path) -> None:
    first = ensure_secret(_sqlite_settings(tmp_path))
    written = (tmp_path / "budget.sqlite3.secret").stat()

    second = ensure_secret(_sqlite_settings(tmp_path))

    assert second.secret_key == first.secret_key
    assert (tmp_path / "budget.sqlite3.secret").stat().st_mtime_ns == written.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.sqlite3.secret"]


def test_ensure_secret_keeps_a_configured_secret_and_writes_nothing(tmp_path: Path) -> None:
    settings = ensure_secret(_sqlite_settings(tmp_path, secret_key=GOOD_SECRET))

    assert settings.secret_key == GOOD_SECRET
    assert list(tmp_path.iterdir()) == []


def test_ensure_secret_never_invents_a_secret_in_production(tmp_path: Path) -> None:
    production = _sqlite_settings(tmp_path, env=Environment.PRODUCTION)

    settings = ensure_secret(production)

    assert settings.secret_key == ""
    assert list(tmp_path.iterdir()) == []


def test_ensure_secret_without_a_sqlite_file_uses_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(database_url="postgresql+asyncpg://u@h/db")

    first = ensure_secret(settings)
    second = ensure_secret(settings)

    assert (tmp_path / ".budget.secret").read_text("utf-8").strip() == first.secret_key
    assert second.secret_key == first.secret_key


def test_the_rate_limit_is_600_a_minute_by_default_and_0_turns_it_off() -> None:
    default = load_settings(environ={}, dotenv=None)
    off = load_settings(environ={"BUDGET_RATE_LIMIT_PER_MINUTE": "0"}, dotenv=None)

    assert default.rate_limit_per_minute == 600
    assert off.rate_limit_per_minute == 0
