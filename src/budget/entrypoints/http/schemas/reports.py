"""Wire shapes of the reports (msgspec): one entry per currency, money as decimal strings.

Amounts print exactly the currency's ISO 4217 decimals (``"12.50"``, ``"300"`` for JPY).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec

from budget.domain.model.currency import Currency
from budget.domain.model.fx_reports import (
    ConvertedCashflow,
    ConvertedCategoryReport,
    ConvertedNetWorth,
    ConvertedSummary,
    MissingRate,
)
from budget.domain.model.money import format_minor
from budget.domain.model.reports import (
    CashflowSeries,
    CategoryReport,
    CategoryShare,
    NetWorth,
    SummaryRow,
)
from budget.entrypoints.http.schemas.common import MoneyOut

CurrencyCode = Annotated[str, msgspec.Meta(description="ISO 4217 code", examples=["EUR"])]
Percent = Annotated[
    str,
    msgspec.Meta(
        description="Share of the currency's total, one decimal, rounded half-up",
        examples=["42.5"],
    ),
]


class MissingRateRead(msgspec.Struct):
    currency: CurrencyCode
    date: Annotated[dt.date, msgspec.Meta(description="A day whose amounts had no rate")]


MissingRates = Annotated[
    list[MissingRateRead] | msgspec.UnsetType,
    msgspec.Meta(
        description=(
            "Only with `currency`: the (currency, date) pairs that had no rate, distinct, by "
            "currency then date; their amounts are left out of every total and count"
        )
    ),
]


def missing_rates(pairs: list[MissingRate]) -> list[MissingRateRead]:
    return [MissingRateRead(pair.currency, pair.date) for pair in pairs]


def money(minor: int, currency: str) -> str:
    """Minor units printed with the currency's decimals."""
    return format_minor(minor, Currency.of(currency).exponent)


class SummaryRead(msgspec.Struct):
    currency: CurrencyCode
    income: MoneyOut
    expense: MoneyOut
    net: Annotated[MoneyOut, msgspec.Meta(description="income - expense", examples=["-3.20"])]
    transaction_count: Annotated[
        int, msgspec.Meta(description="Income and expenses counted; a split one counts once")
    ]
    missing_rates: MissingRates = msgspec.UNSET

    @classmethod
    def of(cls, row: SummaryRow) -> SummaryRead:
        code = row.currency
        return cls(
            code,
            money(row.income, code),
            money(row.expense, code),
            money(row.net, code),
            row.transaction_count,
        )

    @classmethod
    def converted(cls, summary: ConvertedSummary) -> SummaryRead:
        read = cls.of(summary.row)
        read.missing_rates = missing_rates(summary.missing_rates)
        return read


class CategoryShareRead(msgspec.Struct):
    category_id: Annotated[UUID | None, msgspec.Meta(description="null: uncategorised")]
    category_name: Annotated[str | None, msgspec.Meta(description="null: uncategorised")]
    total: MoneyOut
    share_percent: Percent
    transaction_count: Annotated[
        int,
        msgspec.Meta(
            description="Whole transactions in the category plus split parts in it, each once"
        ),
    ]

    @classmethod
    def of(cls, share: CategoryShare, currency: str) -> CategoryShareRead:
        return cls(
            share.category_id,
            share.category_name,
            money(share.total, currency),
            share.share_percent,
            share.transaction_count,
        )


class CategoryReportRead(msgspec.Struct):
    currency: CurrencyCode
    items: Annotated[
        list[CategoryShareRead],
        msgspec.Meta(description="Largest total first; the uncategorised bucket has null id"),
    ]
    missing_rates: MissingRates = msgspec.UNSET

    @classmethod
    def of(cls, report: CategoryReport) -> CategoryReportRead:
        items = [CategoryShareRead.of(share, report.currency) for share in report.items]
        return cls(report.currency, items)

    @classmethod
    def converted(cls, report: ConvertedCategoryReport) -> CategoryReportRead:
        read = cls.of(report.report)
        read.missing_rates = missing_rates(report.missing_rates)
        return read


class CashflowPointRead(msgspec.Struct):
    period_start: Annotated[dt.date, msgspec.Meta(description="First day of the interval")]
    income: MoneyOut
    expense: MoneyOut
    net: MoneyOut


class CashflowSeriesRead(msgspec.Struct):
    currency: CurrencyCode
    points: Annotated[
        list[CashflowPointRead],
        msgspec.Meta(description="One per interval of the range, oldest first, empty ones zero"),
    ]
    missing_rates: MissingRates = msgspec.UNSET

    @classmethod
    def converted(cls, cashflow: ConvertedCashflow) -> CashflowSeriesRead:
        read = cls.of(cashflow.series)
        read.missing_rates = missing_rates(cashflow.missing_rates)
        return read

    @classmethod
    def of(cls, series: CashflowSeries) -> CashflowSeriesRead:
        code = series.currency
        points = [
            CashflowPointRead(
                p.period_start, money(p.income, code), money(p.expense, code), money(p.net, code)
            )
            for p in series.points
        ]
        return cls(code, points)


class AccountBalanceRead(msgspec.Struct):
    account_id: UUID
    name: str
    balance: (
        Annotated[
            MoneyOut,
            msgspec.Meta(
                description=(
                    "The balance as of the end of `date`; with `currency`, converted at that "
                    "day's rate, or null when the account's currency has none"
                )
            ),
        ]
        | None
    )


class NetWorthRead(msgspec.Struct):
    currency: CurrencyCode
    total: MoneyOut
    accounts: Annotated[
        list[AccountBalanceRead],
        msgspec.Meta(description="Every account in the currency, archived ones too, by name"),
    ]
    missing_rates: MissingRates = msgspec.UNSET

    @classmethod
    def converted(cls, worth: ConvertedNetWorth) -> NetWorthRead:
        code = worth.currency
        accounts = [
            AccountBalanceRead(
                a.account_id, a.name, None if a.balance is None else money(a.balance, code)
            )
            for a in worth.accounts
        ]
        return cls(code, money(worth.total, code), accounts, missing_rates(worth.missing_rates))

    @classmethod
    def of(cls, worth: NetWorth) -> NetWorthRead:
        code = worth.currency
        accounts = [
            AccountBalanceRead(a.account_id, a.name, money(a.balance, code)) for a in worth.accounts
        ]
        return cls(code, money(worth.total, code), accounts)
