"""The approval state machine, as a table: every state × action × role."""

import pytest

from chitieu.approval import Action, ApprovalError, Role, State, allowed_actions, is_editable, transition

R, C, A, V = Role.REPORTER, Role.COORDINATOR, Role.ADMINISTRATOR, Role.VIEWER

# (state, action, role, reason, expected next state or error code)
TABLE = [
    (State.DRAFT, Action.EDIT, R, "", State.DRAFT),
    (State.DRAFT, Action.SUBMIT, R, "", State.SUBMITTED),
    (State.DRAFT, Action.SUBMIT, C, "", State.SUBMITTED),
    (State.DRAFT, Action.EDIT, V, "", "role_not_allowed"),
    (State.DRAFT, Action.SUBMIT, V, "", "role_not_allowed"),
    (State.DRAFT, Action.APPROVE, C, "", "not_allowed_in_state"),
    (State.DRAFT, Action.UNLOCK, C, "x", "not_allowed_in_state"),
    (State.SUBMITTED, Action.EDIT, R, "", "not_allowed_in_state"),
    (State.SUBMITTED, Action.APPROVE, R, "", "role_not_allowed"),
    (State.SUBMITTED, Action.APPROVE, C, "", State.APPROVED),
    (State.SUBMITTED, Action.APPROVE, A, "", State.APPROVED),
    (State.SUBMITTED, Action.RETURN, C, "Thiếu mẫu số", State.RETURNED),
    (State.SUBMITTED, Action.RETURN, C, "   ", "reason_required"),
    (State.SUBMITTED, Action.RETURN, R, "x", "role_not_allowed"),
    (State.RETURNED, Action.EDIT, R, "", State.RETURNED),
    (State.RETURNED, Action.SUBMIT, R, "", State.SUBMITTED),
    (State.RETURNED, Action.APPROVE, C, "", "not_allowed_in_state"),
    (State.APPROVED, Action.EDIT, R, "", "locked"),
    (State.APPROVED, Action.EDIT, C, "", "locked"),
    (State.APPROVED, Action.SUBMIT, R, "", "locked"),
    (State.APPROVED, Action.UNLOCK, R, "x", "role_not_allowed"),
    (State.APPROVED, Action.UNLOCK, C, "", "reason_required"),
    (State.APPROVED, Action.UNLOCK, C, "Sửa số liệu quý 3", State.DRAFT),
    (State.APPROVED, Action.UNLOCK, V, "x", "role_not_allowed"),
]


@pytest.mark.parametrize(("state", "action", "role", "reason", "expected"), TABLE)
def test_transition_table(state, action, role, reason, expected):
    if isinstance(expected, State):
        assert transition(state, action, role=role, reason=reason) is expected
    else:
        with pytest.raises(ApprovalError) as caught:
            transition(state, action, role=role, reason=reason)
        assert caught.value.code == expected


def test_every_state_and_action_is_decided_for_every_role():
    for state in State:
        for action in Action:
            for role in Role:
                try:
                    assert transition(state, action, role=role, reason="r") in State
                except ApprovalError as error:
                    assert error.code in {"locked", "not_allowed_in_state", "role_not_allowed"}


def test_viewer_can_do_nothing_and_approved_is_locked_for_everyone():
    assert all(allowed_actions(s, V) == () for s in State)
    assert not any(is_editable(State.APPROVED, r) for r in Role)
    assert allowed_actions(State.APPROVED, C) == (Action.UNLOCK,)
