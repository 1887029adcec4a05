"""The modals behind Resolve and Add update: the fields each verb needs, and reading them back."""

from __future__ import annotations

from typing import Any

MODAL_VERBS = {"incident_resolve": "resolve", "incident_post_update": "post_update"}
"""A modal's `callback_id` -> the verb its submission sends (the key is `private_metadata`)."""

_FIELDS: dict[str, list[tuple[str, str, bool, bool]]] = {
    "resolve": [
        ("cause", "Root cause", True, False),
        ("resolution", "What fixed it", True, False),
        ("preventive_measures", "Preventive measures, one per line", False, True),
    ],
    "post_update": [("message", "Update for affected clients", True, True)],
}
"""Per verb: (field, label, required, multiline)."""
_TITLES = {"resolve": "Resolve incident", "post_update": "Add update"}


def modal_for(callback_id: str, key: str) -> dict[str, Any]:
    """The `views.open` view for a button that needs fields."""
    verb = MODAL_VERBS[callback_id]
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": key,
        "title": {"type": "plain_text", "text": _TITLES[verb]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": field,
                "optional": not required,
                "label": {"type": "plain_text", "text": label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": multiline,
                    "max_length": 3000,
                },
            }
            for field, label, required, multiline in _FIELDS[verb]
        ],
    }


def submitted_fields(verb: str, view: dict[str, Any]) -> dict[str, Any]:
    """The verb's argument fields from a `view_submission`'s `view.state.values`."""
    values = view.get("state", {}).get("values", {})
    fields: dict[str, Any] = {}
    for field, *_ in _FIELDS[verb]:
        text = (values.get(field, {}).get("value", {}).get("value") or "").strip()
        if field == "preventive_measures":
            fields[field] = [line.strip() for line in text.splitlines() if line.strip()]
        elif text:
            fields[field] = text
    return fields


def first_field(verb: str) -> str:
    """The block that shows a refusal in the modal."""
    return _FIELDS[verb][0][0]
