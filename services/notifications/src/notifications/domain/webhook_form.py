"""What the SMS provider's webhook forms may hold: its known fields and well-formed message ids.

The signature is an HMAC over the URL and each parameter's name and value joined with no
separator, so the same signed text can be re-split into other parameters (text moved from `To`
into `MessageSid`, a value swallowing the next name). A form is only the provider's when every
name is one the provider sends and every message id has the provider's shape; the signed
request itself is claimed once (`service_layer.webhooks`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")
"""The provider's message ids: SM (SMS) or MM (MMS) and 32 lowercase hex digits."""
SID_FIELDS = ("MessageSid", "SmsSid", "SmsMessageSid")
"""The fields that carry the message's id; each must be well formed when present."""

_COMMON = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "From",
        "MessageSid",
        "MessagingServiceSid",
        "SmsMessageSid",
        "SmsSid",
        "SmsStatus",
        "To",
    }
)
INBOUND_FIELDS = _COMMON | {
    "Body",
    "FromCity",
    "FromCountry",
    "FromState",
    "FromZip",
    "NumMedia",
    "NumSegments",
    "OptOutType",
    "ToCity",
    "ToCountry",
    "ToState",
    "ToZip",
}
"""The fields of the provider's request for an incoming message (its documented webhook)."""
MEDIA_FIELD = re.compile(r"(MediaContentType|MediaUrl)[0-9]{1,2}")
"""An incoming MMS's media, numbered from 0."""
STATUS_FIELDS = _COMMON | {
    "ChannelInstallSid",
    "ChannelPrefix",
    "ChannelStatusMessage",
    "ChannelToAddress",
    "ErrorCode",
    "ErrorMessage",
    "EventType",
    "MessageStatus",
    "RawDlrDoneDate",
}
"""The fields of the provider's delivery report (status callback)."""


def form_problems(
    params: Mapping[str, str], known: frozenset[str], *, media: bool
) -> list[dict[str, str]]:
    """Each problem of a signed form, naming its field: unknown names, then malformed ids."""
    problems = [
        {"field": f"body.{name}", "reason": "not a field the SMS provider sends"}
        for name in sorted(params)
        if name not in known and not (media and MEDIA_FIELD.fullmatch(name))
    ]
    if "MessageSid" not in params:
        problems.append({"field": "body.MessageSid", "reason": "missing"})
    problems += [
        {"field": f"body.{name}", "reason": "not a message id (SM or MM and 32 hex digits)"}
        for name in SID_FIELDS
        if name in params and not MESSAGE_SID.fullmatch(params[name])
    ]
    return problems
