"""Routes and providers of reports: use cases over the SQL report reader."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from budget.adapters.reports import SqlAlchemyReportReader
from budget.domain.services.reports import GetCashflow, GetCategoryReport, GetNetWorth, GetSummary
from budget.entrypoints.http.controllers.reports import ReportController
from budget.entrypoints.http.dependencies import container_of, provide


def _reader(state: State) -> SqlAlchemyReportReader:
    return SqlAlchemyReportReader(container_of(state).read_sessions)


def _get_summary(state: State) -> GetSummary:
    return GetSummary(_reader(state), container_of(state).clock)


def _get_category_report(state: State) -> GetCategoryReport:
    return GetCategoryReport(_reader(state), container_of(state).clock)


def _get_cashflow(state: State) -> GetCashflow:
    return GetCashflow(_reader(state), container_of(state).clock)


def _get_net_worth(state: State) -> GetNetWorth:
    return GetNetWorth(_reader(state), container_of(state).clock)


REPORT_CONTROLLERS: list[ControllerRouterHandler] = [ReportController]
REPORT_DEPENDENCIES: dict[str, Provide] = {
    "get_summary": provide(_get_summary),
    "get_category_report": provide(_get_category_report),
    "get_cashflow": provide(_get_cashflow),
    "get_net_worth": provide(_get_net_worth),
}
