"""An SMS reply to a page (`12a`, `e`): from a policy contact's phone, to a verb on the incident.

Every answer is one short SMS saying what happened. Replies that act on nothing (help, an
unknown code, a refusal) are passive: a number gets at most PASSIVE_REPLY_CAP of them until an
action succeeds, and after that no answer at all, so an auto-responder cannot start a loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from temporalio.client import Client

from activities.sms_reply_codes import note_reply, read_book
from escalation.contacts import to_e164
from escalation.policy import Policy
from escalation.sms_codes import PASSIVE_REPLY_CAP, NoteReply, parse_reply
from starter.incidents import IncidentNotFound, VerbRefused, send_verb

log = logging.getLogger(__name__)

VIA = "SMS reply"
HELP = "Reply 12a to ack or 12e to escalate the page that named code 12; a or e alone acts on the newest page."
PAST_TENSE = {"acknowledge": "Acknowledged", "escalate": "Escalated"}


def contact_for_phone(policy: Policy, phone: str) -> str | None:
    """The policy name of the contact with this number (any formatting), or None."""
    try:
        number = to_e164(phone)
    except ValueError:
        return None
    return next((name for name, c in policy.contacts.items() if c.phone == number), None)


def why_refused(verb: str, refused: VerbRefused) -> str:
    """The incident's reason, without the verb name the validator puts first."""
    return str(refused).removeprefix(f"{verb}: ")


@dataclass(frozen=True)
class SmsReplies:
    """Answers one inbound SMS; `None` means send no reply at all."""

    client: Client
    task_queue: str

    async def answer(self, policy: Policy, sender: str, body: str) -> str | None:
        contact = contact_for_phone(policy, sender)
        if contact is None:
            log.info("SMS from a number not in the policy ignored")
            return None
        phone = to_e164(sender)
        reply = parse_reply(body)
        if reply is None:
            return await self._passive(phone, HELP)
        book = await read_book(self.client, phone, self.task_queue)
        incident = book.incident_of(reply.code)
        if incident is None:
            if reply.code is None:
                return await self._passive(phone, "No page to this number is waiting for a reply.")
            return await self._passive(
                phone, f"Unknown code {reply.code}; reply a to ack the newest page."
            )
        label = f"{reply.code}" if reply.code is not None else incident
        payload: dict[str, str] = {"by": contact, "via": VIA}
        if reply.verb == "escalate":
            payload["reason"] = f"escalated by {contact} from an SMS reply"
        try:
            result = await send_verb(self.client, incident, reply.verb, payload)
        except VerbRefused as refused:
            return await self._passive(phone, f"{label}: {why_refused(reply.verb, refused)}")
        except IncidentNotFound:
            return await self._passive(phone, f"{label}: the incident is closed")
        await note_reply(self.client, phone, NoteReply(kind="action"), self.task_queue)
        return (
            f"{PAST_TENSE[reply.verb]} {result.incident_id} (tier {result.tier}, {result.status})."
        )

    async def _passive(self, phone: str, text: str) -> str | None:
        """The answer, unless this number has had its share of passive answers."""
        count = await note_reply(self.client, phone, NoteReply(kind="passive"), self.task_queue)
        return text if count <= PASSIVE_REPLY_CAP else None
