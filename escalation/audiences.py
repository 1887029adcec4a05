"""Who hears about what (RACI): turns policy roles into recipients and facts into messages."""

from __future__ import annotations

from escalation.actions import MessageFacts, Notify, Purpose, Recipient
from escalation.client_clocks import missed_targets
from escalation.contacts import Channel
from escalation.incident import IncidentState
from escalation.policy import Policy

STAKEHOLDER_CHANNELS: list[Channel] = ["email"]


def responders(policy: Policy, state: IncidentState, tier_index: int) -> list[Recipient]:
    """Responsible: whom one tier paged last (its contacts, and whoever was on call for its
    schedule), on the severity's channels."""
    names = state.reach.people.get(tier_index, policy.tiers[tier_index].contacts)
    return people(policy, state, names)


def people(policy: Policy, state: IncidentState, names: list[str]) -> list[Recipient]:
    """Named contacts on the severity's channels."""
    channels = policy.severity(state.severity).channels
    return [_person(policy, name, channels) for name in names]


def management(policy: Policy, state: IncidentState) -> list[Recipient]:
    """Accountable: the management chain, on the severity's channels."""
    channels = policy.severity(state.severity).channels
    return [_person(policy, name, channels) for name in policy.management.contacts]


def stakeholders(policy: Policy) -> list[Recipient]:
    """Informed: summaries of opening, breaches and resolution."""
    return [_person(policy, name, STAKEHOLDER_CHANNELS) for name in policy.stakeholders.informed]


def consulted(policy: Policy) -> list[Recipient]:
    """Consulted: invited to every post-incident review and sent its complete final report.

    A name that is also informed is left out here: the informed get that report already.
    """
    informed = set(policy.stakeholders.informed)
    return [
        _person(policy, name, STAKEHOLDER_CHANNELS)
        for name in policy.stakeholders.consulted
        if name not in informed
    ]


def clients(policy: Policy, state: IncidentState) -> list[Recipient]:
    """The contacts of every affected client the policy knows."""
    channels = policy.severity(state.severity).client_channels
    recipients = []
    for key in state.clients_affected:
        client = policy.clients.get(key)
        if client is None:
            continue
        for contact in client.contacts:
            label = f"{client.name} ({contact.name})" if contact.name else client.name
            recipients.append(
                Recipient(
                    name=label,
                    contact=contact,
                    channels=channels,
                    client=client.name,
                    brand=client.brand,
                )
            )
    return recipients


def _person(policy: Policy, name: str, channels: list[Channel]) -> Recipient:
    contact = policy.contact(name)
    return Recipient(name=contact.name or name, contact=contact, channels=channels)


def facts(policy: Policy, state: IncidentState, text: str = "", **extra: object) -> MessageFacts:
    """The incident as a message should describe it right now."""
    return MessageFacts(
        incident_id=state.incident_id,
        title=state.title,
        service=state.service,
        severity=state.severity,
        status=state.status,
        tier_name=policy.tiers[state.position.tier_index].name,
        opened_at=state.opened_at,
        ack_due=state.sla.ack_due,
        resolve_due=state.sla.resolve_due,
        acknowledged_by=state.acknowledged_by,
        resolution=state.resolution,
        client_breaches=missed_targets(policy, state),
        text=text,
        **extra,  # type: ignore[arg-type]
    )


def notify(
    purpose: Purpose,
    recipients: list[Recipient],
    message: MessageFacts,
    *,
    audience: str,
    stops_on_ack: bool = False,
) -> list[Notify]:
    """A Notify action, or nothing when nobody is in that audience."""
    if not recipients:
        return []
    return [
        Notify(
            purpose=purpose,
            audience=audience,  # type: ignore[arg-type]
            recipients=recipients,
            facts=message,
            stops_on_ack=stops_on_ack,
        )
    ]
