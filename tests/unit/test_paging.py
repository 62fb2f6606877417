"""Offset paging: the limits of ``limit`` and ``offset``."""

from __future__ import annotations

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.paging import MAX_LIMIT, MAX_OFFSET, PageRequest


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (MAX_LIMIT, 0), (50, MAX_OFFSET)])
def test_limits_and_offsets_within_range_are_accepted(limit: int, offset: int) -> None:
    request = PageRequest(limit, offset)

    assert (request.limit, request.offset) == (limit, offset)


@pytest.mark.parametrize("offset", [-1, MAX_OFFSET + 1, 2**63])
def test_an_offset_outside_the_range_is_a_violation_of_the_offset_parameter(offset: int) -> None:
    with pytest.raises(RuleViolationError) as raised:
        PageRequest(50, offset)

    [problem] = raised.value.problems
    assert (problem.field, problem.in_query) == ("offset", True)


def test_the_largest_offset_fits_a_32_bit_signed_integer() -> None:
    assert MAX_OFFSET == 2**31 - 1


@pytest.mark.parametrize("limit", [0, MAX_LIMIT + 1])
def test_a_limit_outside_the_range_is_a_violation_of_the_limit_parameter(limit: int) -> None:
    with pytest.raises(RuleViolationError) as raised:
        PageRequest(limit, 0)

    assert raised.value.problems[0].field == "limit"
