"""Search attributes that make incidents findable in the Temporal UI's list and in `escalation list`."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from escalation.incident import IncidentState

INCIDENT_STATUS = SearchAttributeKey.for_keyword("IncidentStatus")
INCIDENT_SEVERITY = SearchAttributeKey.for_keyword("IncidentSeverity")
INCIDENT_SERVICE = SearchAttributeKey.for_keyword("IncidentService")
INCIDENT_TIER = SearchAttributeKey.for_int("IncidentTier")

ALL_KEYS = (INCIDENT_STATUS, INCIDENT_SEVERITY, INCIDENT_SERVICE, INCIDENT_TIER)
"""Register these on a cluster (`escalation setup`); the embedded dev server gets them at start."""


def incident_search_attributes(state: IncidentState) -> TypedSearchAttributes:
    """The values an incident publishes for filtering."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(INCIDENT_STATUS, state.status),
            SearchAttributePair(INCIDENT_SEVERITY, state.severity),
            SearchAttributePair(INCIDENT_SERVICE, state.service),
            SearchAttributePair(INCIDENT_TIER, state.tier),
        ]
    )
