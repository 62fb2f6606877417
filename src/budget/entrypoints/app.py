"""The composition root: ``create_app(settings)`` wires adapters into use cases and routes.

Only the entrypoints wire, and only they import ``budget.adapters``: this module for the
API, ``container.py`` for the long-lived adapters the app (and the CLI) share, and
``cli.py`` for its own commands. The HTTP layer (``budget.entrypoints.http``) receives
everything from here: the use-case providers, the authenticator the auth middleware
calls, the readiness probe, and the translator that turns a storage outage escaping an
adapter into a 503 (an import-linter contract forbids it any adapter import).

Providers close over the app's container and run inline (``sync_to_thread=False``), so a
request pays for nothing but the use cases it asks for; they read the container's
attributes at call time, so a test may swap one (the codec, say) on a built app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import cast

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.middleware.base import DefineMiddleware
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from budget.adapters.backup import JsonBackupReader
from budget.adapters.changes import Recording
from budget.adapters.database import (
    ALL_HOUSEHOLDS,
    UNSCOPED,
    Scope,
    connections_in_use,
    ping,
    translate_unavailable,
)
from budget.adapters.exchange_rates import SqlAlchemyRatesUnitOfWork
from budget.adapters.fx_reports import SqlAlchemyFxReportReader
from budget.adapters.idempotency import RequestContext
from budget.adapters.imports import SqlAlchemyImportUnitOfWork
from budget.adapters.metrics import process_exposition
from budget.adapters.reports import SqlAlchemyReportReader
from budget.adapters.scheduler import Scheduler
from budget.adapters.spending import SqlAlchemyBudgetSpendingReader
from budget.adapters.statements import FileStatementParser
from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId
from budget.domain.services.accounts import (
    CreateAccount,
    DeleteAccount,
    GetAccount,
    ListAccounts,
    UpdateAccount,
)
from budget.domain.services.auth import Authenticate, LogIn, LogOut, RefreshTokens, RegisterUser
from budget.domain.services.budgets import (
    CreateBudget,
    DeleteBudget,
    GetBudget,
    GetBudgetHistory,
    GetBudgetStatus,
    ListBudgets,
    ListBudgetStatuses,
    UpdateBudget,
)
from budget.domain.services.categories import (
    CreateCategory,
    DeleteCategory,
    GetCategory,
    ListCategories,
    UpdateCategory,
)
from budget.domain.services.changes import GetAuditTrail, ReadChanges
from budget.domain.services.exchange_rates import (
    CreateExchangeRate,
    DeleteExchangeRate,
    GetExchangeRate,
    ListExchangeRates,
    UpsertExchangeRates,
)
from budget.domain.services.exports import ExportHousehold, ExportTransactions
from budget.domain.services.fx_reports import (
    Converting,
    GetConvertedCashflow,
    GetConvertedCategoryReport,
    GetConvertedNetWorth,
    GetConvertedSummary,
)
from budget.domain.services.households import (
    ChangeMemberRole,
    CreateHousehold,
    DeleteHousehold,
    GetHousehold,
    ListHouseholds,
    ListMembers,
    RemoveMember,
    RenameHousehold,
)
from budget.domain.services.import_rules import HouseholdRowRules
from budget.domain.services.imports import GetImport, ImportStatement, ListImports, UndoImport
from budget.domain.services.invitations import (
    AcceptInvitation,
    DeclineInvitation,
    InviteMember,
    ListHouseholdInvitations,
    ListMyInvitations,
    RevokeInvitation,
)
from budget.domain.services.reconciliation import ReconcileAccount
from budget.domain.services.recurring import (
    CreateRecurring,
    DeleteRecurring,
    GetRecurring,
    ListRecurring,
    ListUpcoming,
    UpdateRecurring,
)
from budget.domain.services.recurring_posting import PostRecurring
from budget.domain.services.reports import GetCashflow, GetCategoryReport, GetNetWorth, GetSummary
from budget.domain.services.restore import RestoreBackup
from budget.domain.services.rules import (
    ApplyRule,
    CreateRule,
    DeleteRule,
    GetRule,
    ListRules,
    UpdateRule,
)
from budget.domain.services.transactions import (
    DeleteTransaction,
    GetTransaction,
    ListTransactions,
    RecordTransaction,
    UpdateTransaction,
)
from budget.domain.services.users import (
    AdministerUser,
    ChangePassword,
    DeleteUser,
    ListUsers,
    UpdateProfile,
)
from budget.domain.services.webhooks import (
    CreateWebhook,
    DeleteWebhook,
    GetWebhook,
    ListDeliveries,
    ListWebhooks,
    SendTestEvent,
    UpdateWebhook,
)
from budget.entrypoints.background import build_scheduler
from budget.entrypoints.container import Container, build_container
from budget.entrypoints.http.auth import auth_middleware
from budget.entrypoints.http.controllers.accounts import AccountsController
from budget.entrypoints.http.controllers.auth import AuthController
from budget.entrypoints.http.controllers.budgets import BudgetsController
from budget.entrypoints.http.controllers.categories import CategoriesController
from budget.entrypoints.http.controllers.changes import AuditController, ChangesController
from budget.entrypoints.http.controllers.exchange_rates import ExchangeRatesController
from budget.entrypoints.http.controllers.exports import ExportsController
from budget.entrypoints.http.controllers.health import HealthController
from budget.entrypoints.http.controllers.households import (
    HouseholdsController,
)
from budget.entrypoints.http.controllers.imports import ImportsController
from budget.entrypoints.http.controllers.invitations import InvitationsController
from budget.entrypoints.http.controllers.operations import (
    DOCS_ASSETS_DIRECTORY,
    MetricsAccess,
    OperationsController,
)
from budget.entrypoints.http.controllers.recurring import RecurringController
from budget.entrypoints.http.controllers.reports import ReportController
from budget.entrypoints.http.controllers.rules import RulesController
from budget.entrypoints.http.controllers.transactions import TransactionsController
from budget.entrypoints.http.controllers.users import AdminUsersController, MeController
from budget.entrypoints.http.controllers.webhooks import WebhooksController
from budget.entrypoints.http.dependencies import provide, request_dependencies
from budget.entrypoints.http.idempotency import IdempotencyMiddleware, document_idempotency
from budget.entrypoints.http.metrics import CallbackGauge, RequestMetrics
from budget.entrypoints.http.middleware import RequestIdMiddleware, stamp_response
from budget.entrypoints.http.openapi import (
    DOCS_ASSETS,
    complete_document,
    document_rate_limit,
    openapi_config,
)
from budget.entrypoints.http.problems import EXCEPTION_HANDLERS, JsonBodyRequest, translating
from budget.entrypoints.http.ratelimit import (
    RateLimiter,
    RateLimitHeaders,
    rate_limit_middleware,
)
from budget.entrypoints.http.schemas.changes import wire_renderers
from budget.entrypoints.http.schemas.webhooks import event_data
from budget.settings import Settings, ensure_secret

log = logging.getLogger("budget.app")

MAX_BODY_BYTES = 1024 * 1024

CONTROLLERS: list[ControllerRouterHandler] = [
    HealthController,
    AuthController,
    MeController,
    AdminUsersController,
    HouseholdsController,
    InvitationsController,
    AccountsController,
    CategoriesController,
    TransactionsController,
    BudgetsController,
    ReportController,
    ExchangeRatesController,
    RulesController,
    ExportsController,
    OperationsController,
    create_static_files_router(
        path=DOCS_ASSETS,
        directories=[DOCS_ASSETS_DIRECTORY],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=86400, public=True),
    ),
    ImportsController,
    RecurringController,
    ChangesController,
    AuditController,
    WebhooksController,
]


def create_app(settings: Settings, *, container: Container | None = None) -> Litestar:
    """Build the Litestar application for ``settings`` (the only composition root)."""
    settings = ensure_secret(settings)
    container = container or build_container(settings)
    metrics = request_metrics(container)
    limiter = rate_limiter(container)
    scheduler = build_scheduler(container) if settings.scheduler_enabled else None
    container.recording = Recording(wire_renderers())
    app = Litestar(
        route_handlers=CONTROLLERS,
        dependencies={**dependencies(container), **operations(container, metrics)},
        middleware=[
            RequestIdMiddleware,
            auth_middleware(authenticator(container)),
            *([rate_limit_middleware(limiter)] if limiter else []),
            idempotency_middleware(container),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, Exception: translating(translate_unavailable)},
        request_class=JsonBodyRequest,
        before_send=[
            stamp_response(settings.access_log),
            metrics,
            *([RateLimitHeaders(limiter)] if limiter else []),
        ],
        openapi_config=openapi_config(),
        cors_config=cors_config(settings),
        request_max_body_size=MAX_BODY_BYTES,
        lifespan=[disposing(container), *scheduling(scheduler)],
        debug=settings.debug,
        logging_config=None,
    )
    app.state.container = container
    app.state.metrics = metrics
    app.state.scheduler = scheduler
    complete_document(app.openapi_schema)
    document_idempotency(app.openapi_schema)
    # The idempotency answers carry the rate-limit headers like every other answer.
    document_rate_limit(app.openapi_schema)
    return app


def disposing(
    container: Container,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that prepares the container's stores when the app starts and closes its
    database pool (and Redis client) when it stops."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await container.start()
        try:
            yield
        finally:
            await container.close()

    return lifespan


def request_metrics(c: Container) -> RequestMetrics:
    """The app's request series, and its database pool's connections in use."""
    metrics = RequestMetrics()
    metrics.registry.register(
        CallbackGauge(
            "budget_database_pool_connections_in_use",
            "Database connections checked out of this process's pool",
            lambda: connections_in_use(c.engine),
        )
    )
    return metrics


def rate_limiter(c: Container) -> RateLimiter | None:
    """The API-wide rate limit over the shared counter; None when it is off (0)."""
    limit = c.settings.rate_limit_per_minute
    if limit == 0 or c.hits is None:
        return None
    return RateLimiter(limit, c.hits, trust_forwarded_for=c.settings.trust_forwarded_for)


def operations(c: Container, metrics: RequestMetrics) -> dict[str, Provide]:
    """What ``GET /metrics`` needs: who may read it, and the text it answers."""
    access = MetricsAccess(c.settings.is_production, c.settings.metrics_token)

    async def exposition() -> bytes:
        return metrics.exposition() + await process_exposition()

    return {
        "metrics_access": Provide(lambda: access, use_cache=True, sync_to_thread=False),
        "metrics_exposition": Provide(lambda: exposition, use_cache=True, sync_to_thread=False),
    }


def scheduling(
    scheduler: Scheduler | None,
) -> list[Callable[[Litestar], AbstractAsyncContextManager[None]]]:
    """A lifespan that runs the periodic tasks while the app serves (once per worker
    process: their work is claimed with row locks, docs/adr/0020), stopped before the
    pool closes; none when ``BUDGET_SCHEDULER_ENABLED`` is off."""
    if scheduler is None:
        return []

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await scheduler.start()
        try:
            yield
        finally:
            await scheduler.stop()

    return [lifespan]


def authenticator(c: Container) -> Callable[[], Authenticate]:
    """What the auth middleware calls once per request that carries a token."""
    return lambda: Authenticate(c.read_uow(UNSCOPED), c.codec)


def dependencies(c: Container) -> dict[str, Provide]:
    """Every provider a handler can ask for, by parameter name."""

    async def database_ready() -> bool:
        return await ping(c.engine)

    return {
        **request_dependencies(trust_forwarded_for=c.settings.trust_forwarded_for),
        "database_ready": Provide(lambda: database_ready, use_cache=True, sync_to_thread=False),
        **user_cases(c),
        **household_cases(c),
        **ledger_cases(c),
        **budget_cases(c),
        **report_cases(c),
        **fx_cases(c),
        **rule_cases(c),
        **import_cases(c),
        **recurring_cases(c),
        **change_cases(c),
        **webhook_cases(c),
    }


def user_cases(c: Container) -> dict[str, Provide]:
    return {
        # Registration makes a household; deleting a user may delete some: all households.
        "register_user": provide(
            lambda: RegisterUser(c.uow(ALL_HOUSEHOLDS), c.hasher, c.clock, c.ids)
        ),
        "log_in": provide(lambda: LogIn(c.uow(), c.hasher, c.clock, c.issuer(), c.throttle())),
        "refresh_tokens": provide(lambda: RefreshTokens(c.uow(), c.codec, c.clock, c.issuer())),
        "log_out": provide(lambda: LogOut(c.uow(), c.codec, c.clock)),
        "update_profile": provide(lambda: UpdateProfile(c.uow(), c.clock)),
        "change_password": provide(
            lambda: ChangePassword(c.uow(), c.hasher, c.clock, c.throttle())
        ),
        "delete_user": provide(lambda: DeleteUser(c.uow(ALL_HOUSEHOLDS))),
        "list_users": provide(lambda: ListUsers(c.read_uow())),
        "administer_user": provide(lambda: AdministerUser(c.uow(), c.clock)),
    }


def household_cases(c: Container) -> dict[str, Provide]:
    """Households, memberships and invitations have no row-level security; creating,
    deleting and leaving a household may add or remove ledger rows of any household (its
    default categories, a new personal household, a deleted household's data): those units
    of work see all households, and the use cases check the caller's role first."""
    return {
        "create_household": provide(lambda: CreateHousehold(c.uow(ALL_HOUSEHOLDS), c.clock, c.ids)),
        "list_households": provide(lambda: ListHouseholds(c.read_uow())),
        "get_household": provide(lambda: GetHousehold(c.read_uow())),
        # Scoped: the rename's change-feed row is the household's (row-level security).
        "rename_household": scoped(lambda scope: RenameHousehold(c.uow(scope), c.clock)),
        "delete_household": provide(lambda: DeleteHousehold(c.uow(ALL_HOUSEHOLDS), c.clock, c.ids)),
        "list_members": provide(lambda: ListMembers(c.read_uow())),
        # Scoped: the role change's change-feed row is the household's (row-level security).
        "change_member_role": scoped(lambda scope: ChangeMemberRole(c.uow(scope))),
        "remove_member": provide(lambda: RemoveMember(c.uow(ALL_HOUSEHOLDS), c.clock, c.ids)),
        "invite_member": provide(lambda: InviteMember(c.uow(), c.clock, c.ids)),
        "list_household_invitations": provide(
            lambda: ListHouseholdInvitations(c.read_uow(), c.clock)
        ),
        "revoke_invitation": provide(lambda: RevokeInvitation(c.uow(), c.clock)),
        "list_my_invitations": provide(lambda: ListMyInvitations(c.read_uow(), c.clock)),
        "accept_invitation": provide(lambda: AcceptInvitation(c.uow(), c.clock)),
        "decline_invitation": provide(lambda: DeclineInvitation(c.uow(), c.clock)),
    }


def scoped(build: Callable[[Scope], object]) -> Provide:
    """A provider of a use case over the caller's households: its unit of work may touch
    their rows only (row-level security, ``database.restrict``)."""

    def provider(caller: NamedDependency[Caller]) -> object:
        return build(caller.visible())

    return Provide(provider, sync_to_thread=False)


def ledger_cases(c: Container) -> dict[str, Provide]:
    return {
        "create_account": scoped(lambda scope: CreateAccount(c.uow(scope), c.clock, c.ids)),
        "get_account": scoped(lambda scope: GetAccount(c.read_uow(scope))),
        "list_accounts": scoped(lambda scope: ListAccounts(c.read_uow(scope))),
        "update_account": scoped(lambda scope: UpdateAccount(c.uow(scope), c.clock)),
        "delete_account": scoped(lambda scope: DeleteAccount(c.uow(scope))),
        "reconcile_account": scoped(lambda scope: ReconcileAccount(c.uow(scope), c.clock, c.ids)),
        "create_category": scoped(lambda scope: CreateCategory(c.uow(scope), c.clock, c.ids)),
        "get_category": scoped(lambda scope: GetCategory(c.read_uow(scope))),
        "list_categories": scoped(lambda scope: ListCategories(c.read_uow(scope))),
        "update_category": scoped(lambda scope: UpdateCategory(c.uow(scope), c.clock)),
        "delete_category": scoped(lambda scope: DeleteCategory(c.uow(scope), c.clock)),
        "record_transaction": scoped(lambda scope: RecordTransaction(c.uow(scope), c.clock, c.ids)),
        "get_transaction": scoped(lambda scope: GetTransaction(c.read_uow(scope))),
        "list_transactions": scoped(
            lambda scope: ListTransactions(c.read_uow(scope), c.cursor_key)
        ),
        "update_transaction": scoped(lambda scope: UpdateTransaction(c.uow(scope), c.clock)),
        "delete_transaction": scoped(lambda scope: DeleteTransaction(c.uow(scope))),
    }


def budget_cases(c: Container) -> dict[str, Provide]:
    """Status and history also get a spending reader with its own (read-only) sessions."""

    def spending() -> SqlAlchemyBudgetSpendingReader:
        return SqlAlchemyBudgetSpendingReader(c.read_engine)

    return {
        "create_budget": scoped(lambda scope: CreateBudget(c.uow(scope), c.clock, c.ids)),
        "get_budget": scoped(lambda scope: GetBudget(c.read_uow(scope))),
        "list_budgets": scoped(lambda scope: ListBudgets(c.read_uow(scope))),
        "update_budget": scoped(lambda scope: UpdateBudget(c.uow(scope), c.clock)),
        "delete_budget": scoped(lambda scope: DeleteBudget(c.uow(scope))),
        "get_budget_status": scoped(
            lambda scope: GetBudgetStatus(c.read_uow(scope), spending(), c.clock)
        ),
        "list_budget_statuses": scoped(
            lambda scope: ListBudgetStatuses(c.read_uow(scope), spending(), c.clock)
        ),
        "get_budget_history": scoped(
            lambda scope: GetBudgetHistory(c.read_uow(scope), spending(), c.clock)
        ),
    }


def report_cases(c: Container) -> dict[str, Provide]:
    def reader() -> SqlAlchemyReportReader:
        return SqlAlchemyReportReader(c.read_engine)

    return {
        "get_summary": provide(lambda: GetSummary(reader(), c.clock)),
        "get_category_report": provide(lambda: GetCategoryReport(reader(), c.clock)),
        "get_cashflow": provide(lambda: GetCashflow(reader(), c.clock)),
        "get_net_worth": provide(lambda: GetNetWorth(reader(), c.clock)),
    }


def fx_cases(c: Container) -> dict[str, Provide]:
    """Exchange rates (their own unit of work) and the reports in one currency."""

    def rates(scope: Scope) -> SqlAlchemyRatesUnitOfWork:
        return SqlAlchemyRatesUnitOfWork(c.engine, writers=c.writers, scope=scope)

    def read_rates(scope: Scope) -> SqlAlchemyRatesUnitOfWork:
        return SqlAlchemyRatesUnitOfWork(c.read_engine, read_only=True, scope=scope)

    def converting(case: type[Converting]) -> Provide:
        return provide(
            lambda: case(
                SqlAlchemyReportReader(c.read_engine),
                SqlAlchemyFxReportReader(c.read_engine),
                c.clock,
                c.settings.fx_max_age_days,
            )
        )

    return {
        "create_exchange_rate": scoped(
            lambda scope: CreateExchangeRate(rates(scope), c.clock, c.ids)
        ),
        "upsert_exchange_rates": scoped(
            lambda scope: UpsertExchangeRates(rates(scope), c.clock, c.ids)
        ),
        "get_exchange_rate": scoped(lambda scope: GetExchangeRate(read_rates(scope))),
        "list_exchange_rates": scoped(lambda scope: ListExchangeRates(read_rates(scope))),
        "delete_exchange_rate": scoped(lambda scope: DeleteExchangeRate(rates(scope))),
        "get_converted_summary": converting(GetConvertedSummary),
        "get_converted_category_report": converting(GetConvertedCategoryReport),
        "get_converted_cashflow": converting(GetConvertedCashflow),
        "get_converted_net_worth": converting(GetConvertedNetWorth),
    }


def rule_cases(c: Container) -> dict[str, Provide]:
    return {
        "create_rule": scoped(lambda scope: CreateRule(c.uow(scope), c.clock, c.ids)),
        "get_rule": scoped(lambda scope: GetRule(c.read_uow(scope))),
        "list_rules": scoped(lambda scope: ListRules(c.read_uow(scope))),
        "update_rule": scoped(lambda scope: UpdateRule(c.uow(scope), c.clock)),
        "delete_rule": scoped(lambda scope: DeleteRule(c.uow(scope))),
        "apply_rule": scoped(lambda scope: ApplyRule(c.uow(scope), c.clock)),
        "export_transactions": scoped(lambda scope: ExportTransactions(c.read_uow(scope))),
        "export_household": scoped(
            lambda scope: ExportHousehold(
                c.read_uow(scope),
                c.clock,
                SqlAlchemyRatesUnitOfWork(c.read_engine, read_only=True, scope=scope),
            )
        ),
    }


def recurring_cases(c: Container) -> dict[str, Provide]:
    return {
        "create_recurring": scoped(lambda scope: CreateRecurring(c.uow(scope), c.clock, c.ids)),
        "get_recurring": scoped(lambda scope: GetRecurring(c.read_uow(scope))),
        "list_recurring": scoped(lambda scope: ListRecurring(c.read_uow(scope))),
        "update_recurring": scoped(lambda scope: UpdateRecurring(c.uow(scope), c.clock)),
        "delete_recurring": scoped(lambda scope: DeleteRecurring(c.uow(scope))),
        "post_recurring": scoped(lambda scope: PostRecurring(c.uow(scope), c.clock, c.ids)),
        "list_upcoming": scoped(lambda scope: ListUpcoming(c.read_uow(scope), c.clock)),
    }


def change_cases(c: Container) -> dict[str, Provide]:
    retention = timedelta(days=c.settings.change_retention_days)
    return {
        "read_changes": scoped(
            lambda scope: ReadChanges(
                c.change_reader(cast("Sequence[HouseholdId]", scope)),
                c.clock,
                c.feed_key,
                retention,
            )
        ),
        "get_audit_trail": scoped(
            lambda scope: GetAuditTrail(c.change_reader(cast("Sequence[HouseholdId]", scope)))
        ),
    }


def idempotency_middleware(c: Container) -> DefineMiddleware:
    """``Idempotency-Key`` and the writes' actor, after authentication (contract section 11)."""
    return DefineMiddleware(
        IdempotencyMiddleware, store=c.idempotency, context=RequestContext(), now=c.clock.now
    )


def webhook_cases(c: Container) -> dict[str, Provide]:
    return {
        "create_webhook": scoped(
            lambda scope: CreateWebhook(
                c.uow(scope), c.clock, c.ids, c.webhook_secrets, c.check_url()
            )
        ),
        "get_webhook": scoped(lambda scope: GetWebhook(c.read_uow(scope))),
        "list_webhooks": scoped(lambda scope: ListWebhooks(c.read_uow(scope))),
        "update_webhook": scoped(lambda scope: UpdateWebhook(c.uow(scope), c.clock, c.check_url())),
        "delete_webhook": scoped(lambda scope: DeleteWebhook(c.uow(scope))),
        "list_webhook_deliveries": scoped(lambda scope: ListDeliveries(c.read_uow(scope))),
        "send_test_webhook": scoped(lambda scope: SendTestEvent(c.uow(scope), c.clock)),
    }


def cors_config(settings: Settings) -> CORSConfig | None:
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID", "Idempotency-Key"],
        expose_headers=["X-Request-ID", "Location", "Retry-After", "Idempotent-Replayed"],
    )


def import_cases(c: Container) -> dict[str, Provide]:
    """Statement imports: their unit of work also keeps import batches; the household's
    categorisation rules (contract section 13) apply to every row (``HouseholdRowRules``)."""

    def uow(scope: Scope, *, read_only: bool = False) -> SqlAlchemyImportUnitOfWork:
        if read_only:
            return SqlAlchemyImportUnitOfWork(c.read_engine, read_only=True, scope=scope)
        return SqlAlchemyImportUnitOfWork(
            c.engine,
            writers=c.writers,
            scope=scope,
            recording=c.recording,
            event_data=event_data,
        )

    parser = FileStatementParser()
    return {
        "import_statement": scoped(
            lambda scope: ImportStatement(uow(scope), c.clock, c.ids, parser, HouseholdRowRules())
        ),
        "list_imports": scoped(lambda scope: ListImports(uow(scope, read_only=True))),
        "get_import": scoped(lambda scope: GetImport(uow(scope, read_only=True))),
        "undo_import": scoped(lambda scope: UndoImport(uow(scope))),
        "restore_backup": scoped(
            lambda scope: RestoreBackup(uow(scope), c.clock, c.ids, JsonBackupReader())
        ),
    }
