"""The rules' table: rows read back as written on both databases, and row-level security
keeps them to their household on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.model.household import Household
from budget.domain.model.ids import CategoryId, HouseholdId, RuleId
from budget.domain.model.rule import (
    AddTags,
    Condition,
    Rule,
    RuleField,
    RuleOp,
    SetCategory,
    SetPayee,
    new_rule,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _rule(household: HouseholdId) -> Rule:
    return new_rule(
        RuleId(uuid.uuid4()),
        household,
        "Groceries",
        (
            Condition(RuleField.PAYEE, RuleOp.STARTS_WITH, "Aldi"),
            Condition(RuleField.AMOUNT, RuleOp.LTE, "99.999"),
        ),
        (SetCategory(CategoryId(uuid.uuid4())), SetPayee("Aldi"), AddTags(("food", "weekly"))),
        T0,
        priority=7,
        active=False,
    )


async def _household(engine: AsyncEngine) -> HouseholdId:
    household = Household.found(HouseholdId(uuid.uuid4()), "Home", T0)
    async with SqlAlchemyUnitOfWork(engine, scope=ALL_HOUSEHOLDS) as uow:
        uow.households.add(household)
        await uow.commit()
    return household.id


async def test_a_rule_reads_back_as_it_was_written(engine: AsyncEngine) -> None:
    household = await _household(engine)
    rule = _rule(household)
    async with SqlAlchemyUnitOfWork(engine, scope=[household]) as uow:
        uow.rules.add(rule)
        await uow.commit()

    async with SqlAlchemyUnitOfWork(engine, read_only=True, scope=[household]) as uow:
        found = await uow.rules.get([household], rule.id)

    assert found is not None
    assert (found.name, found.priority, found.active) == ("Groceries", 7, False)
    assert (found.conditions, found.actions) == (rule.conditions, rule.actions)
    assert (found.created_at, found.household_id) == (T0, household)


async def test_a_changed_rule_is_written_back_at_commit(engine: AsyncEngine) -> None:
    household = await _household(engine)
    rule = _rule(household)
    async with SqlAlchemyUnitOfWork(engine, scope=[household]) as uow:
        uow.rules.add(rule)
        await uow.commit()

    async with SqlAlchemyUnitOfWork(engine, scope=[household]) as uow:
        (stored,) = await uow.rules.in_household(household)
        stored.forget_category(next(iter(stored.category_ids)), T0)
        await uow.commit()

    async with SqlAlchemyUnitOfWork(engine, read_only=True, scope=[household]) as uow:
        found = await uow.rules.get([household], rule.id)
    assert found is not None
    assert found.actions == rule.actions[1:]


async def test_row_level_security_hides_another_households_rules(
    engine: AsyncEngine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's")
    mine, theirs = await _household(engine), await _household(engine)
    async with SqlAlchemyUnitOfWork(engine, scope=[theirs]) as uow:
        uow.rules.add(_rule(theirs))
        await uow.commit()

    async with engine.connect() as connection:
        await restrict(connection, [mine])
        counted = (
            await connection.execute(
                text("SELECT count(*) FROM rules WHERE household_id = :h"), {"h": theirs}
            )
        ).scalar()

    assert counted == 0


async def test_row_level_security_refuses_a_rule_written_outside_the_scope(
    engine: AsyncEngine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's")
    mine, theirs = await _household(engine), await _household(engine)

    async with SqlAlchemyUnitOfWork(engine, scope=[mine]) as uow:
        uow.rules.add(_rule(theirs))
        with pytest.raises(exc.DBAPIError, match="row-level security"):
            await uow.commit()
