"""The household policy: roles and actions, the Caller, last owners, default households and
invitations. Plain objects, no fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from budget.domain.errors import PermissionDeniedError, RuleViolationError
from budget.domain.model.household import (
    INVITATION_LIFETIME,
    PERMISSIONS,
    Action,
    Caller,
    Household,
    HouseholdNotFoundError,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    check_not_last_owner,
    clean_household_name,
    may,
    next_default,
)
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.user import User

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ME = UserId(UUID(int=1))
OTHER = UserId(UUID(int=2))
PERSONAL = HouseholdId(UUID(int=101))
SHARED = HouseholdId(UUID(int=102))
STRANGERS = HouseholdId(UUID(int=103))

MATRIX = [
    (Role.OWNER, Action.READ, True),
    (Role.OWNER, Action.WRITE, True),
    (Role.OWNER, Action.MANAGE, True),
    (Role.EDITOR, Action.READ, True),
    (Role.EDITOR, Action.WRITE, True),
    (Role.EDITOR, Action.MANAGE, False),
    (Role.VIEWER, Action.READ, True),
    (Role.VIEWER, Action.WRITE, False),
    (Role.VIEWER, Action.MANAGE, False),
]
ALLOWED = [(role, action) for role, action, allowed in MATRIX if allowed]
REFUSED = [(role, action) for role, action, allowed in MATRIX if not allowed]


def _user(default: HouseholdId | None = PERSONAL) -> User:
    return User(ME, "me@example.com", "hash", None, "EUR", False, True, NOW, NOW, default)


def _caller(shared: Role | None = None, default: HouseholdId | None = PERSONAL) -> Caller:
    """Owner of PERSONAL; with ``shared``, that role in SHARED; never a member of STRANGERS."""
    roles = {PERSONAL: Role.OWNER}
    if shared is not None:
        roles[SHARED] = shared
    return Caller(_user(default), roles)


def _membership(user: int, role: Role, days_ago: int = 0, household: int = 101) -> Membership:
    return Membership(
        HouseholdId(UUID(int=household)),
        UserId(UUID(int=user)),
        role,
        NOW - timedelta(days=days_ago),
    )


def _invitation(
    status: InvitationStatus = InvitationStatus.PENDING, email: str = "me@example.com"
) -> Invitation:
    household = Household(SHARED, "Shared", NOW, NOW)
    invitation = Invitation.issue(
        InvitationId(UUID(int=9)), household, email, Role.EDITOR, OTHER, NOW
    )
    invitation.settle(status)
    return invitation


# --- the role/permission matrix ----------------------------------------------------------


def test_the_matrix_names_every_role_and_every_action() -> None:
    assert {(role, action) for role, action, _ in MATRIX} == {(r, a) for r in Role for a in Action}
    assert set(PERMISSIONS) == set(Role)


@pytest.mark.parametrize(("role", "action", "allowed"), MATRIX)
def test_each_role_may_do_exactly_its_actions(role: Role, action: Action, allowed: bool) -> None:
    assert may(role, action) is allowed


@pytest.mark.parametrize(("role", "action"), ALLOWED)
def test_require_answers_the_role_of_a_member_allowed_to_act(role: Role, action: Action) -> None:
    assert _caller(shared=role).require(SHARED, action) is role


@pytest.mark.parametrize(("role", "action"), REFUSED)
def test_require_refuses_a_member_whose_role_does_not_allow_the_action(
    role: Role, action: Action
) -> None:
    with pytest.raises(PermissionDeniedError):
        _caller(shared=role).require(SHARED, action)


@pytest.mark.parametrize("action", list(Action))
def test_require_hides_a_household_the_caller_is_not_in_for_every_action(action: Action) -> None:
    with pytest.raises(HouseholdNotFoundError):
        _caller(shared=Role.VIEWER).require(STRANGERS, action)


def test_an_owner_only_refusal_says_that_only_owners_may() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        _caller(shared=Role.EDITOR).require(SHARED, Action.MANAGE)

    assert "owner" in caught.value.detail


# --- require_write -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR])
def test_owners_and_editors_may_write_to_data_they_see(role: Role) -> None:
    _caller(shared=role).require_write(SHARED)


def test_a_viewer_may_not_write_to_data_they_see() -> None:
    with pytest.raises(PermissionDeniedError):
        _caller(shared=Role.VIEWER).require_write(SHARED)


def test_writing_to_a_household_the_caller_is_not_in_is_refused() -> None:
    with pytest.raises(PermissionDeniedError):
        _caller().require_write(STRANGERS)


# --- household_for_new ---------------------------------------------------------------------


def test_a_new_resource_goes_to_the_default_household_when_none_is_sent() -> None:
    assert _caller(shared=Role.EDITOR).household_for_new(None) == PERSONAL


def test_a_new_resource_goes_to_the_household_sent_when_the_caller_may_write_there() -> None:
    assert _caller(shared=Role.EDITOR).household_for_new(SHARED) == SHARED


def test_a_new_resource_in_a_household_the_caller_is_not_in_is_a_violation_on_household_id() -> (
    None
):
    with pytest.raises(RuleViolationError) as caught:
        _caller().household_for_new(STRANGERS)

    assert [p.field for p in caught.value.problems] == ["household_id"]


def test_the_violation_names_the_field_the_household_came_from() -> None:
    with pytest.raises(RuleViolationError) as caught:
        _caller().household_for_new(STRANGERS, field_name="account_id")

    assert [p.field for p in caught.value.problems] == ["account_id"]


def test_a_new_resource_in_a_household_where_the_caller_views_is_forbidden() -> None:
    with pytest.raises(PermissionDeniedError):
        _caller(shared=Role.VIEWER).household_for_new(SHARED)


def test_a_viewer_of_their_default_household_may_not_create_there_by_default() -> None:
    caller = Caller(_user(default=SHARED), {SHARED: Role.VIEWER})

    with pytest.raises(PermissionDeniedError):
        caller.household_for_new(None)


def test_a_caller_without_a_default_household_is_told_it_is_not_found() -> None:
    with pytest.raises(HouseholdNotFoundError):
        _caller(default=None).household_for_new(None)


# --- visible and household_to_read ---------------------------------------------------------


def test_the_caller_sees_every_household_they_belong_to_in_id_order() -> None:
    caller = Caller(_user(), {SHARED: Role.VIEWER, PERSONAL: Role.OWNER})

    assert caller.visible() == (PERSONAL, SHARED)


def test_asking_for_one_household_of_the_caller_sees_only_that_one() -> None:
    assert _caller(shared=Role.VIEWER).visible(SHARED) == (SHARED,)


def test_asking_for_a_household_the_caller_is_not_in_sees_nothing() -> None:
    assert _caller(shared=Role.VIEWER).visible(STRANGERS) == ()


def test_a_caller_without_memberships_sees_nothing() -> None:
    assert Caller(_user(), {}).visible() == ()


def test_an_aggregate_covers_the_default_household_unless_told_otherwise() -> None:
    assert _caller(shared=Role.VIEWER).household_to_read(None) == PERSONAL


def test_an_aggregate_of_a_viewers_household_may_be_read() -> None:
    assert _caller(shared=Role.VIEWER).household_to_read(SHARED) == SHARED


def test_an_aggregate_of_a_household_the_caller_is_not_in_is_not_found() -> None:
    with pytest.raises(HouseholdNotFoundError):
        _caller().household_to_read(STRANGERS)


# --- require_removal -----------------------------------------------------------------------


def test_an_owner_may_remove_another_member() -> None:
    assert _caller(shared=Role.OWNER).require_removal(SHARED, OTHER) is Role.OWNER


@pytest.mark.parametrize("role", list(Role))
def test_every_member_may_leave(role: Role) -> None:
    assert _caller(shared=role).require_removal(SHARED, ME) is role


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_a_member_who_is_not_an_owner_may_not_remove_someone_else(role: Role) -> None:
    with pytest.raises(PermissionDeniedError):
        _caller(shared=role).require_removal(SHARED, OTHER)


@pytest.mark.parametrize("user_id", [ME, OTHER])
def test_removing_from_a_household_the_caller_is_not_in_is_not_found(user_id: UserId) -> None:
    with pytest.raises(HouseholdNotFoundError):
        _caller().require_removal(STRANGERS, user_id)


# --- last owner ----------------------------------------------------------------------------


@pytest.mark.parametrize("new_role", [None, Role.EDITOR, Role.VIEWER])
def test_the_only_owner_may_not_stop_being_one(new_role: Role | None) -> None:
    memberships = [_membership(1, Role.OWNER), _membership(2, Role.EDITOR)]

    assert check_not_last_owner(memberships, UserId(UUID(int=1)), new_role) is False


@pytest.mark.parametrize("new_role", [None, Role.EDITOR, Role.VIEWER])
def test_one_of_two_owners_may_stop_being_one(new_role: Role | None) -> None:
    memberships = [_membership(1, Role.OWNER), _membership(2, Role.OWNER)]

    assert check_not_last_owner(memberships, UserId(UUID(int=1)), new_role) is True


def test_the_only_owner_may_be_given_the_owner_role_again() -> None:
    memberships = [_membership(1, Role.OWNER), _membership(2, Role.VIEWER)]

    assert check_not_last_owner(memberships, UserId(UUID(int=1)), Role.OWNER) is True


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_a_member_who_is_not_an_owner_may_always_leave(role: Role) -> None:
    memberships = [_membership(1, Role.OWNER), _membership(2, role)]

    assert check_not_last_owner(memberships, UserId(UUID(int=2)), None) is True


def test_someone_who_is_not_a_member_leaves_no_household_without_an_owner() -> None:
    memberships = [_membership(1, Role.OWNER)]

    assert check_not_last_owner(memberships, UserId(UUID(int=3)), None) is True


def test_a_member_promoted_to_owner_is_changed_by_change_role() -> None:
    membership = _membership(2, Role.VIEWER)

    membership.change_role(Role.OWNER)

    assert membership.role is Role.OWNER


# --- next default --------------------------------------------------------------------------


def test_the_oldest_remaining_membership_becomes_the_default() -> None:
    mine = [
        _membership(1, Role.OWNER, days_ago=30, household=101),
        _membership(1, Role.VIEWER, days_ago=10, household=102),
        _membership(1, Role.EDITOR, days_ago=20, household=103),
    ]

    assert next_default(mine, HouseholdId(UUID(int=101))) == HouseholdId(UUID(int=103))


def test_the_household_being_left_never_becomes_the_default_even_when_oldest() -> None:
    mine = [
        _membership(1, Role.OWNER, days_ago=30, household=101),
        _membership(1, Role.VIEWER, days_ago=1, household=102),
    ]

    assert next_default(mine, HouseholdId(UUID(int=101))) == HouseholdId(UUID(int=102))


def test_memberships_joined_at_the_same_time_tie_on_household_id() -> None:
    mine = [
        _membership(1, Role.VIEWER, days_ago=5, household=109),
        _membership(1, Role.VIEWER, days_ago=5, household=104),
        _membership(1, Role.OWNER, days_ago=50, household=101),
    ]

    assert next_default(mine, HouseholdId(UUID(int=101))) == HouseholdId(UUID(int=104))


def test_there_is_no_next_default_when_no_membership_is_left() -> None:
    mine = [_membership(1, Role.OWNER, household=101)]

    assert next_default(mine, HouseholdId(UUID(int=101))) is None


# --- households ----------------------------------------------------------------------------


def test_a_household_name_is_trimmed() -> None:
    assert clean_household_name("  Family  ") == "Family"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, " " + "x" * 101])
def test_a_blank_or_too_long_household_name_is_a_violation_on_name(name: str) -> None:
    with pytest.raises(RuleViolationError) as caught:
        clean_household_name(name)

    assert [p.field for p in caught.value.problems] == ["name"]


def test_a_household_name_of_100_characters_after_trimming_is_accepted() -> None:
    assert clean_household_name(" " + "x" * 100 + " ") == "x" * 100


def test_a_founded_household_has_a_clean_name_and_both_timestamps_now() -> None:
    household = Household.found(SHARED, " Family ", NOW)

    assert (household.name, household.created_at, household.updated_at) == ("Family", NOW, NOW)


def test_renaming_a_household_cleans_the_name_and_records_the_change() -> None:
    household = Household.found(SHARED, "Family", NOW)
    later = NOW + timedelta(hours=1)

    household.rename("  Home ", later)

    assert (household.name, household.created_at, household.updated_at) == ("Home", NOW, later)


# --- invitations ---------------------------------------------------------------------------


def test_an_issued_invitation_is_pending_for_seven_days_with_its_households_name() -> None:
    invitation = _invitation()

    assert invitation.status is InvitationStatus.PENDING
    assert invitation.expires_at == NOW + INVITATION_LIFETIME == NOW + timedelta(days=7)
    assert (invitation.household_id, invitation.household_name) == (SHARED, "Shared")
    assert (invitation.role, invitation.invited_by, invitation.created_at) == (
        Role.EDITOR,
        OTHER,
        NOW,
    )


def test_an_invitation_is_pending_one_second_before_it_expires() -> None:
    assert _invitation().is_pending(NOW + INVITATION_LIFETIME - timedelta(seconds=1))


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=30)])
def test_an_invitation_is_no_longer_pending_once_it_expires(after: timedelta) -> None:
    assert not _invitation().is_pending(NOW + INVITATION_LIFETIME + after)


@pytest.mark.parametrize(
    "status", [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.REVOKED]
)
def test_an_answered_or_revoked_invitation_is_no_longer_pending(status: InvitationStatus) -> None:
    assert not _invitation(status).is_pending(NOW)


def test_an_invitation_is_open_to_its_addressee_while_pending() -> None:
    assert _invitation().is_open_to("me@example.com", NOW)


def test_an_invitation_is_not_open_to_someone_else() -> None:
    assert not _invitation().is_open_to("other@example.com", NOW)


def test_an_expired_invitation_is_not_open_to_its_addressee() -> None:
    assert not _invitation().is_open_to("me@example.com", NOW + INVITATION_LIFETIME)


def test_a_declined_invitation_is_not_open_to_its_addressee() -> None:
    assert not _invitation(InvitationStatus.DECLINED).is_open_to("me@example.com", NOW)
