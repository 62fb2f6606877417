"""The SQL report reader turns a database it cannot reach into StorageUnavailableError."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from budget.adapters.database import create_engine
from budget.adapters.reports import SqlAlchemyReportReader
from budget.domain.errors import StorageUnavailableError
from budget.domain.model.ids import HouseholdId


async def test_an_unreachable_database_is_storage_unavailable(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'budget.db'}")
    reader = SqlAlchemyReportReader(engine)

    try:
        with pytest.raises(StorageUnavailableError):
            await reader.balances_as_of(HouseholdId(UUID(int=1)), date(2024, 1, 1))
    finally:
        await engine.dispose()
