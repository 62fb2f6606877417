"""Settings: one frozen object read once from ``BUDGET_*`` variables (and an optional ``.env``)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, cast

import msgspec
import msgspec.inspect as mi

log = logging.getLogger("budget.settings")

PREFIX = "BUDGET_"
MIN_SECRET_BYTES = 32
DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///budget.sqlite3"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"

    @classmethod
    def _missing_(cls, value: object) -> Environment | None:
        # BUDGET_ENV is read case-insensitively: "Production" is production.
        lowered = value.lower() if isinstance(value, str) else None
        return next((member for member in cls if member.value == lowered), None)


class JwtAlgorithm(StrEnum):
    HS256 = "HS256"
    RS256 = "RS256"
    EDDSA = "EdDSA"


class SettingsError(ValueError):
    """One or more settings are invalid; the message names every bad variable."""


PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
Seconds = Annotated[float, msgspec.Meta(gt=0)]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the service can be configured with; see ``.env.example``."""

    env: Environment = Environment.DEVELOPMENT
    debug: bool = False
    database_url: str = DEFAULT_SQLITE_URL
    database_pool_size: PositiveInt = 10
    database_connect_timeout_seconds: Seconds = 5.0
    database_statement_timeout_seconds: Seconds = 15.0
    secret_key: str = ""
    jwt_algorithm: JwtAlgorithm = JwtAlgorithm.HS256
    jwt_private_key_file: str = ""
    jwt_public_key_file: str = ""
    jwt_issuer: str = "budget"
    jwt_audience: str = "budget-api"
    access_token_ttl_seconds: PositiveInt = 900
    refresh_token_ttl_seconds: PositiveInt = 7 * 24 * 3600
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = False
    login_max_failures_per_account: PositiveInt = 10
    login_max_failures_per_client: PositiveInt = 100
    login_failure_window_seconds: PositiveInt = 900
    trust_forwarded_for: bool = False
    log_level: str = "INFO"
    access_log: bool = True
    fx_max_age_days: Annotated[int, msgspec.Meta(ge=0)] = 7
    rate_limit_per_minute: NonNegativeInt = 600
    redis_url: str = ""
    metrics_token: str = ""
    scheduler_enabled: bool = True
    scheduler_interval_seconds: Seconds = 60.0
    change_retention_days: PositiveInt = 30
    webhook_allow_private: bool = False

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def webhooks_reach_private(self) -> bool:
        """Whether webhooks may point at loopback, private, link-local or multicast
        addresses: outside production, or when ``BUDGET_WEBHOOK_ALLOW_PRIVATE`` says so."""
        return not self.is_production or self.webhook_allow_private


_FIELD_TYPES: dict[str, mi.Type] = {
    field.name: field.type for field in cast("mi.StructType", mi.type_info(Settings)).fields
}
"""Each setting's type and constraints, read from ``Settings`` (its only declaration)."""
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal ``.env`` file: ``KEY=value`` lines, ``#`` comments, optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


class _InvalidValueError(ValueError):
    """A variable's text does not fit its setting's type; the message says what it must be."""


def _parse(raw: str, kind: mi.Type) -> object:
    """Read a variable's text as a setting of type ``kind`` (from ``_FIELD_TYPES``)."""
    if isinstance(kind, mi.BoolType):
        return _parse_bool(raw)
    if isinstance(kind, mi.IntType):
        return _parse_int(raw, kind.ge)
    if isinstance(kind, mi.FloatType):
        return _parse_seconds(raw, kind.gt)
    if isinstance(kind, mi.VarTupleType):
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    if isinstance(kind, mi.EnumType):
        return _parse_choice(raw, kind.cls)
    return raw


def _parse_bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word not in _TRUE | _FALSE:
        raise _InvalidValueError(f"must be true or false, got {raw!r}")
    return word in _TRUE


def _parse_int(raw: str, minimum: int | None) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise _InvalidValueError(f"must be a whole number, got {raw!r}") from None
    if minimum is not None and number < minimum:
        raise _InvalidValueError(f"must be at least {minimum}, got {number}")
    return number


def _parse_seconds(raw: str, above: float | None) -> float:
    # Every float setting is a duration (``Seconds``).
    try:
        seconds = float(raw)
    except ValueError:
        raise _InvalidValueError(f"must be a number of seconds, got {raw!r}") from None
    if above is not None and seconds <= above:
        raise _InvalidValueError(f"must be greater than {above}, got {raw!r}")
    return seconds


def _parse_choice(raw: str, choices: type[Enum]) -> Enum:
    try:
        return choices(raw.strip())
    except ValueError:
        *first, last = (member.value for member in choices)
        raise _InvalidValueError(f"must be {', '.join(first)} or {last}, got {raw!r}") from None


def _check(settings: Settings) -> list[str]:
    errors: list[str] = []
    url = settings.database_url
    if not (url.startswith("sqlite+aiosqlite://") or url.startswith("postgresql+asyncpg://")):
        errors.append(
            "BUDGET_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    uses_key_pair = settings.jwt_algorithm is not JwtAlgorithm.HS256
    if uses_key_pair:
        for name in ("jwt_private_key_file", "jwt_public_key_file"):
            value = getattr(settings, name)
            if not value or not Path(value).is_file():
                errors.append(
                    f"{PREFIX}{name.upper()} must name a readable PEM file "
                    f"when BUDGET_JWT_ALGORITHM is {settings.jwt_algorithm}"
                )
    if settings.secret_key and len(settings.secret_key.encode()) < MIN_SECRET_BYTES:
        errors.append(f"BUDGET_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long")
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://")):
        errors.append("BUDGET_REDIS_URL must start with redis:// or rediss://")
    if settings.is_production:
        errors.extend(_check_production(settings))
    return errors


def _check_production(settings: Settings) -> list[str]:
    errors: list[str] = []
    # Required with a key pair too: the secret also keys the HMAC of list cursors.
    if not settings.secret_key:
        errors.append("BUDGET_SECRET_KEY is required when BUDGET_ENV=production")
    if settings.debug:
        errors.append("BUDGET_DEBUG must be off when BUDGET_ENV=production")
    if "*" in settings.cors_origins and settings.cors_allow_credentials:
        errors.append(
            "BUDGET_CORS_ORIGINS must not be * while BUDGET_CORS_ALLOW_CREDENTIALS is on "
            "when BUDGET_ENV=production"
        )
    return errors


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Build and validate the settings; raise SettingsError naming every bad variable.

    Real environment variables win over the ``.env`` file.
    """
    source = dict(read_dotenv(dotenv)) if dotenv is not None else {}
    source.update(os.environ if environ is None else environ)
    errors: list[str] = []
    values: dict[str, object] = {}
    for name, kind in _FIELD_TYPES.items():
        variable = PREFIX + name.upper()
        raw = source.get(variable)
        if raw is None:
            continue
        try:
            values[name] = _parse(raw, kind)
        except _InvalidValueError as problem:
            errors.append(f"{variable} {problem}")
    if errors:
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(errors))
    settings = Settings(**values)  # type: ignore[arg-type]
    errors = _check(settings)
    if errors:
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(errors))
    return settings


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, or None for PostgreSQL or in-memory SQLite."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split(":///", 1)[1] if ":///" in database_url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def ensure_secret(settings: Settings) -> Settings:
    """Outside production, create (once) and reuse a local secret when none is configured.

    The secret lives beside the SQLite database (or in the working directory), so tokens
    survive restarts and every worker process reads the same one.
    """
    if settings.secret_key or settings.is_production:
        return settings
    db_file = sqlite_path(settings.database_url)
    secret_file = db_file.with_name(db_file.name + ".secret") if db_file else Path(".budget.secret")
    if not secret_file.is_file():
        _write_secret_once(secret_file)
    return msgspec.structs.replace(settings, secret_key=secret_file.read_text("utf-8").strip())


def _write_secret_once(secret_file: Path) -> None:
    # Written to a private temporary file, then linked into place: link() fails if another
    # worker won the race, and nobody ever reads a half-written secret.
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = secret_file.with_name(f".{secret_file.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        os.link(temporary, secret_file)
        log.warning(
            "BUDGET_SECRET_KEY is not set: generated a development secret in %s", secret_file
        )
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
