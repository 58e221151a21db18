"""Approval of a unit's figures for a period: a small state machine.

    draft ──submit──▶ submitted ──approve──▶ approved (locked)
      ▲                   │                     │
      │                 return (reason)       unlock (reason, coordinator)
      │                   ▼                     │
      └──── edit ─── returned ◀─────────────────┘ (unlock goes back to draft)

The web form, the API and bulk uploads all ask this module, so the rules are
written once. It returns codes; the edges translate them for people.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"  # "Đang nhập"
    SUBMITTED = "submitted"  # "Đã gửi", waiting for the coordinator
    APPROVED = "approved"  # "Đã duyệt": locked
    RETURNED = "returned"  # "Trả lại" with a reason, to be fixed and resubmitted


# The named sets of states, defined here once (pages, roll-ups, loads and reminders ask here).
APPROVED_STATES: tuple[State, ...] = (State.APPROVED,)  # what verdicts count by default
# Sent to the coordinator, approved or not yet: "received" for completeness, "provisional"
# for verdicts, "locked" against bulk overwrites.
RECEIVED_STATES: tuple[State, ...] = (State.SUBMITTED, State.APPROVED)
EDITABLE_STATES: tuple[State, ...] = (State.DRAFT, State.RETURNED)


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    UNLOCK = "unlock"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"  # the standing office: approves and unlocks in its area
    REPORTER = "reporter"  # enters its own unit's figures
    VIEWER = "viewer"  # leaders: read only


class ApprovalError(Exception):
    """A refused transition; ``code`` is stable for tests and translations."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# (state, action) -> (next state, roles allowed, reason required)
_RULES: dict[tuple[State, Action], tuple[State, frozenset[Role], bool]] = {}

_ENTERERS = frozenset({Role.REPORTER, Role.COORDINATOR, Role.ADMINISTRATOR})
_DECIDERS = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})

for _state in (State.DRAFT, State.RETURNED):
    _RULES[(_state, Action.EDIT)] = (_state, _ENTERERS, False)
    _RULES[(_state, Action.SUBMIT)] = (State.SUBMITTED, _ENTERERS, False)
_RULES[(State.SUBMITTED, Action.APPROVE)] = (State.APPROVED, _DECIDERS, False)
_RULES[(State.SUBMITTED, Action.RETURN)] = (State.RETURNED, _DECIDERS, True)
_RULES[(State.APPROVED, Action.UNLOCK)] = (State.DRAFT, _DECIDERS, True)


def transition(state: State, action: Action, *, role: Role, reason: str = "") -> State:
    """The state after ``action``; raises ``ApprovalError`` when it is not allowed."""
    rule = _RULES.get((state, action))
    if rule is None:
        raise ApprovalError("locked" if state is State.APPROVED else "not_allowed_in_state")
    next_state, roles, needs_reason = rule
    if role not in roles:
        raise ApprovalError("role_not_allowed")
    if needs_reason and not reason.strip():
        raise ApprovalError("reason_required")
    return next_state


def check_four_eyes(action: Action, *, required: bool, decider_submitted: bool) -> None:
    """The four-eyes rule: whoever sent the figures may not approve them too.

    A plan turns it on where there are two people to ask (a district's standing office
    and the units reporting to it); a commune of one official turns it off.
    """
    if required and action is Action.APPROVE and decider_submitted:
        raise ApprovalError("four_eyes")


def allowed_actions(state: State, role: Role) -> tuple[Action, ...]:
    return tuple(a for (s, a), (_, roles, _) in _RULES.items() if s is state and role in roles)


def is_editable(state: State, role: Role) -> bool:
    return Action.EDIT in allowed_actions(state, role)


def may_ever(action: Action, role: Role) -> bool:
    """Whether ``role`` may take ``action`` in some state: a viewer may never approve, whatever the page."""
    return any(a is action and role in roles for (_, a), (_, roles, _) in _RULES.items())
