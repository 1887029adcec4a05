"""Search attributes that make incidents findable in the Temporal UI's list and in `escalation list`."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from escalation.incident import IncidentState

INCIDENT_STATUS = SearchAttributeKey.for_keyword("IncidentStatus")
INCIDENT_SEVERITY = SearchAttributeKey.for_keyword("IncidentSeverity")
INCIDENT_SERVICE = SearchAttributeKey.for_keyword("IncidentService")
INCIDENT_TIER = SearchAttributeKey.for_int("IncidentTier")
INCIDENT_BREACHED = SearchAttributeKey.for_bool("IncidentBreached")
"""True once an SLA of the current cycle is breached (acknowledgment or resolution), or an
affected client's contract target."""

ALL_KEYS = (INCIDENT_STATUS, INCIDENT_SEVERITY, INCIDENT_SERVICE, INCIDENT_TIER, INCIDENT_BREACHED)
"""Workers register these at start where they may (wiring/search_attributes.py), else `escalation setup`."""


def is_breached(state: IncidentState) -> bool:
    return state.sla.ack_breached or state.sla.resolve_breached


def client_breached(state: IncidentState) -> bool:
    """A target of an affected client's contract is breached (under the current severity)."""
    return any(clock.ack_breached or clock.resolve_breached for clock in state.client_clocks)


def incident_search_attributes(
    state: IncidentState, *, with_breached: bool = True, breached: bool | None = None
) -> TypedSearchAttributes:
    """The values an incident publishes for filtering (`IncidentBreached` only from its patch on)."""
    pairs: list[SearchAttributePair] = [
        SearchAttributePair(INCIDENT_STATUS, state.status),
        SearchAttributePair(INCIDENT_SEVERITY, state.severity),
        SearchAttributePair(INCIDENT_SERVICE, state.service),
        SearchAttributePair(INCIDENT_TIER, state.tier),
    ]
    if with_breached:
        flag = is_breached(state) if breached is None else breached
        pairs.append(SearchAttributePair(INCIDENT_BREACHED, flag))
    return TypedSearchAttributes(pairs)
