"""A key pressed during a voice page: 4 acknowledges, 5 escalates, anything else repeats the menu.

The call's `<Gather>` action names the incident and the recipient it rang (activities/
twilio_callbacks.py); the signature covers them. The number called (`To`) must belong to that
policy contact, and the verb is sent as them, so a keypress acts as the person who was paged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from temporalio.client import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from api.delivery_status import is_incident_id
from api.sms_replies import PAST_TENSE, contact_for_phone, why_refused
from escalation.policy import Policy
from escalation.sms_codes import ReplyVerb
from starter.incidents import IncidentNotFound, VerbRefused, send_verb

VIA = "voice"
MENU = "Press 4 to acknowledge, 5 to escalate."
KEYS: dict[str, ReplyVerb] = {"4": "acknowledge", "5": "escalate"}


@dataclass(frozen=True)
class Keypress:
    """The call's answer to one `Digits`, as TwiML."""

    client: Client

    async def answer(
        self, policy: Policy, query: Mapping[str, str], form: Mapping[str, str], action: str
    ) -> str:
        """`query` is the action URL's (incident, contact), `form` Twilio's (Digits, To)."""
        incident, named = query.get("incident", ""), query.get("contact", "")
        called, digits = form.get("To", ""), form.get("Digits", "")
        contact = contact_for_phone(policy, called)
        if not is_incident_id(incident) or contact is None or not _names(policy, contact, named):
            return _say("This call cannot act on the incident. Goodbye.")
        verb = KEYS.get(digits.strip())
        if verb is None:
            response = VoiceResponse()
            gather = Gather(num_digits=1, timeout=5, action=action)
            gather.say(MENU)
            response.append(gather)
            response.say("No key pressed. Goodbye.")
            return str(response)
        payload: dict[str, str] = {"by": contact, "via": VIA}
        if verb == "escalate":
            payload["reason"] = f"escalated by {contact} from a voice page"
        try:
            result = await send_verb(self.client, incident, verb, payload)
        except VerbRefused as refused:
            return _say(f"Nothing was done: {why_refused(verb, refused)}. Goodbye.")
        except IncidentNotFound:
            return _say("Nothing was done: the incident is closed. Goodbye.")
        return _say(
            f"{PAST_TENSE[verb]}. The incident is {result.status}, tier {result.tier}. Goodbye."
        )


def _names(policy: Policy, contact: str, named: str) -> bool:
    """The call was placed to this contact: the URL names it by policy key or display name."""
    return named in {contact, policy.contacts[contact].name}


def _say(text: str) -> str:
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return str(response)
