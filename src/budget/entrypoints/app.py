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
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import NamedDependency, Provide
from litestar.types import ControllerRouterHandler

from budget.adapters.database import (
    ALL_HOUSEHOLDS,
    UNSCOPED,
    Scope,
    ping,
    translate_unavailable,
)
from budget.adapters.reports import SqlAlchemyReportReader
from budget.adapters.spending import SqlAlchemyBudgetSpendingReader
from budget.domain.model.household import Caller
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
from budget.domain.services.invitations import (
    AcceptInvitation,
    DeclineInvitation,
    InviteMember,
    ListHouseholdInvitations,
    ListMyInvitations,
    RevokeInvitation,
)
from budget.domain.services.reconciliation import ReconcileAccount
from budget.domain.services.reports import GetCashflow, GetCategoryReport, GetNetWorth, GetSummary
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
from budget.entrypoints.container import Container, build_container
from budget.entrypoints.http.auth import auth_middleware
from budget.entrypoints.http.controllers.accounts import AccountsController
from budget.entrypoints.http.controllers.auth import AuthController
from budget.entrypoints.http.controllers.budgets import BudgetsController
from budget.entrypoints.http.controllers.categories import CategoriesController
from budget.entrypoints.http.controllers.health import HealthController
from budget.entrypoints.http.controllers.households import (
    HouseholdsController,
)
from budget.entrypoints.http.controllers.invitations import InvitationsController
from budget.entrypoints.http.controllers.reports import ReportController
from budget.entrypoints.http.controllers.transactions import TransactionsController
from budget.entrypoints.http.controllers.users import AdminUsersController, MeController
from budget.entrypoints.http.controllers.webhooks import WebhooksController
from budget.entrypoints.http.dependencies import provide, request_dependencies
from budget.entrypoints.http.middleware import RequestIdMiddleware, stamp_response
from budget.entrypoints.http.openapi import complete_document, openapi_config
from budget.entrypoints.http.problems import EXCEPTION_HANDLERS, JsonBodyRequest, translating
from budget.entrypoints.webhooks import delivery_loop
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
    WebhooksController,
]


def create_app(settings: Settings, *, container: Container | None = None) -> Litestar:
    """Build the Litestar application for ``settings`` (the only composition root)."""
    settings = ensure_secret(settings)
    container = container or build_container(settings)
    app = Litestar(
        route_handlers=CONTROLLERS,
        dependencies=dependencies(container),
        middleware=[RequestIdMiddleware, auth_middleware(authenticator(container))],
        exception_handlers={**EXCEPTION_HANDLERS, Exception: translating(translate_unavailable)},
        request_class=JsonBodyRequest,
        before_send=[stamp_response(settings.access_log)],
        openapi_config=openapi_config(),
        cors_config=cors_config(settings),
        request_max_body_size=MAX_BODY_BYTES,
        lifespan=[disposing(container), delivery_loop(container)],
        debug=settings.debug,
        logging_config=None,
    )
    app.state.container = container
    complete_document(app.openapi_schema)
    return app


def disposing(
    container: Container,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that closes the container's database pool when the app stops."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await container.engine.dispose()

    return lifespan


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
        "rename_household": provide(lambda: RenameHousehold(c.uow(), c.clock)),
        "delete_household": provide(lambda: DeleteHousehold(c.uow(ALL_HOUSEHOLDS), c.clock, c.ids)),
        "list_members": provide(lambda: ListMembers(c.read_uow())),
        "change_member_role": provide(lambda: ChangeMemberRole(c.uow())),
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
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Location", "Retry-After"],
    )
