"""A generated history of a few hundred incidents and their reviews, with the inputs kept so a
test can compute the expected figures on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from escalation.commands import Acknowledge, Resolve
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.review import ActionItem, Feedback, ReviewState
from tests.escalation.report_scenario import act, open_incident, run_until

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
COUNT = 300
SERVICES = ("payments", "billing", "search")
CAUSES = ("Disk full", " disk  FULL.", "Expired certificate")
NOW = START + timedelta(days=90)
UNACKED_FOR = timedelta(hours=25)


@dataclass
class Generated:
    """One incident as generated: what was decided, and what the engine made of it."""

    state: IncidentState
    ack_after: timedelta | None
    resolve_after: timedelta | None
    cause: str | None


def generate(policy: Policy) -> tuple[list[Generated], list[ReviewState]]:
    made, reviews = [], []
    for n in range(COUNT):
        opened = START + n * timedelta(hours=6)
        clients = ["acme", "globex"] if n % 5 == 0 else []
        state = open_incident(
            policy, f"gen-{n}", now=opened, service=SERVICES[n % 3], clients_affected=clients
        )
        if n % 7 == 3:  # nobody answers: both clocks run out
            run_until(policy, state, opened + UNACKED_FOR)
            made.append(Generated(state, None, None, None))
            continue
        ack = timedelta(minutes=(n * 37) % 180 + 0.5)  # never exactly on an SLA minute
        act(policy, state, Acknowledge(by="alice"), opened + ack)
        resolve = ack + timedelta(minutes=(n * 53) % 600 + 10)
        cause = CAUSES[n % 4] if n % 4 < 3 else f"one-off cause {n}"
        act(policy, state, Resolve(by="alice", cause=cause, resolution="fixed"), opened + resolve)
        made.append(Generated(state, ack, resolve, cause))
        if n % 10 == 0:
            reviews.append(review_of(state, n))
    return made, reviews


def review_of(state: IncidentState, n: int) -> ReviewState:
    """Two items: one done; one due either before NOW (overdue) or after it (open)."""
    at = state.resolved_at
    assert at is not None
    due = NOW - timedelta(days=1) if n % 20 == 0 else NOW + timedelta(days=1)
    return ReviewState(
        review_id=f"review-gen-{n}",
        incident_id=state.incident_id,
        owner="bob",
        opened_at=at,
        due_at=at + timedelta(days=5),
        action_items=[
            ActionItem(
                id="A1",
                title="fix",
                owner="bob",
                created_by="bob",
                created_at=at,
                done_by="bob",
                done_at=at + timedelta(days=1),
            ),
            ActionItem(
                id="A2", title="prevent", owner="bob", created_by="bob", created_at=at, due=due
            ),
        ],
        feedback=[Feedback(by="ops@acme.example", text=f"feedback {n}", at=at)],
    )
