"""Routes and providers of reports: use cases over the SQL report reader."""

from __future__ import annotations

from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from budget.adapters.reports import SqlAlchemyReportReader
from budget.domain.services.reports import GetCashflow, GetCategoryReport, GetNetWorth, GetSummary
from budget.entrypoints.container import Container
from budget.entrypoints.http.controllers.reports import ReportController
from budget.entrypoints.http.dependencies import from_container


def _reader(c: Container) -> SqlAlchemyReportReader:
    return SqlAlchemyReportReader(c.read_sessions)


REPORT_CONTROLLERS: list[ControllerRouterHandler] = [ReportController]
REPORT_DEPENDENCIES: dict[str, Provide] = {
    "get_summary": from_container(lambda c: GetSummary(_reader(c), c.clock)),
    "get_category_report": from_container(lambda c: GetCategoryReport(_reader(c), c.clock)),
    "get_cashflow": from_container(lambda c: GetCashflow(_reader(c), c.clock)),
    "get_net_worth": from_container(lambda c: GetNetWorth(_reader(c), c.clock)),
}
