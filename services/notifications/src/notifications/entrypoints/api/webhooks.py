"""The SMS provider's webhooks: replies and delivery reports, signed with X-Twilio-Signature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response

from clinic_shared.errors import BadRequest, Forbidden
from clinic_shared.ratelimit import limited
from notifications.domain.errors import FormNotTheProviders
from notifications.domain.signature import signature_matches
from notifications.domain.webhook_form import (
    INBOUND_FIELDS,
    MESSAGE_SID,
    STATUS_FIELDS,
    form_problems,
)
from notifications.entrypoints.api.deps import ScopeDep, SettingsDep
from notifications.service_layer.delivery_status import record_delivery_status
from notifications.service_layer.replies import InboundSms, handle_reply
from notifications.service_layer.webhooks import claim_signature
from notifications.settings import NotificationsSettings

# The limit comes first, so a flood of unsigned calls is turned away before any HMAC work.
router = APIRouter(
    prefix="/v1/webhooks/sms", tags=["webhooks"], dependencies=[Depends(limited("webhook_limiter"))]
)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _signed_form_openapi(
    answer: dict[str, object] | None = None, **fields: str
) -> dict[str, object]:
    """The OpenAPI of a signed form the handler reads from the raw body (it must see every
    parameter to check the signature, so FastAPI does not parse it)."""
    return {
        **({"responses": answer} if answer else {}),
        "parameters": [
            {
                "name": "X-Twilio-Signature",
                "in": "header",
                "required": True,
                "description": "base64 HMAC-SHA1, under the SMS auth token, of the URL and the "
                "form parameters sorted by name.",
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            name: {"type": "string", "description": text}
                            for name, text in fields.items()
                        }
                        | {"MessageSid": {"type": "string", "pattern": f"^{MESSAGE_SID.pattern}$"}},
                        "required": ["MessageSid"],
                    }
                }
            },
        },
    }


def public_url(request: Request, settings: NotificationsSettings) -> str:
    """The URL the provider signed: the configured public prefix, else the URL as received."""
    if settings.sms_webhook_base_url is None:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return settings.sms_webhook_base_url.rstrip("/") + request.url.path + query


def form_params(body: bytes) -> dict[str, str]:
    """The form's parameters; 400 when the body, or a value percent-encoded in it, is not UTF-8
    (the provider sends UTF-8, and the signature is computed over the decoded values), or when
    a name comes twice (the provider never repeats one)."""
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest("The form is not UTF-8 text.") from exc
    params = dict(pairs)
    if len(params) != len(pairs):
        repeated = sorted({name for name, _ in pairs if [n for n, _ in pairs].count(name) > 1})
        raise FormNotTheProviders(
            [{"field": f"body.{name}", "reason": "given more than once"} for name in repeated]
        )
    return params


@dataclass(frozen=True)
class SignedForm:
    """A webhook form the provider signed: its parameters and the signature that covers them."""

    params: dict[str, str]
    signature: str


def signed_form(known: frozenset[str], *, media: bool) -> Callable[..., Awaitable[SignedForm]]:
    """The dependency that reads a webhook's form: 403 unless the signature proves the provider
    sent it, 400 (naming the fields) when it holds a field the provider does not send there or
    a malformed message id."""

    async def read(request: Request, settings: SettingsDep) -> SignedForm:
        params = form_params(await request.body())
        token = settings.sms_auth_token
        signature = request.headers.get("x-twilio-signature")
        url = public_url(request, settings)
        if (
            token is None
            or signature is None
            or not signature_matches(token.get_secret_value(), url, params, signature)
        ):
            raise Forbidden("The request does not carry a valid X-Twilio-Signature.")
        if problems := form_problems(params, known, media=media):
            raise FormNotTheProviders(problems)
        return SignedForm(params, signature)

    return read


InboundForm = Annotated[SignedForm, Depends(signed_form(INBOUND_FIELDS, media=True))]
StatusForm = Annotated[SignedForm, Depends(signed_form(STATUS_FIELDS, media=False))]


@router.post(
    "/inbound",
    response_class=Response,
    openapi_extra=_signed_form_openapi(
        {
            "200": {
                "description": "An empty TwiML answer: any reply to the patient goes separately.",
                "content": {"text/xml": {"schema": {"type": "string"}}},
            }
        },
        MessageSid="The provider's id of the message.",
        From="The patient's number, E.164.",
        To="The clinic's number.",
        Body="What the patient wrote: C, R, STOP, START or anything else.",
    ),
)
async def inbound_sms(form: InboundForm, scope: ScopeDep) -> Response:
    """A patient's reply: C confirms the next session, R asks to move it, STOP/START consent."""
    params = form.params
    sms = InboundSms(
        sid=params["MessageSid"], sender=params.get("From", ""), body=params.get("Body", "")
    )
    await claim_signature(scope, form.signature, sms.sid)
    await handle_reply(scope, sms)
    await scope.uow.commit()
    return Response(EMPTY_TWIML, media_type="text/xml")


@router.post(
    "/status",
    status_code=204,
    openapi_extra=_signed_form_openapi(
        MessageSid="The provider's id of the message we sent.",
        MessageStatus="queued, sent, delivered, undelivered or failed.",
        ErrorCode="The carrier's error code, on a failure.",
    ),
)
async def sms_status(form: StatusForm, scope: ScopeDep) -> Response:
    """A delivery report for a message we sent."""
    params = form.params
    await claim_signature(scope, form.signature, params["MessageSid"])
    await record_delivery_status(
        scope,
        provider_id=params["MessageSid"],
        status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode"),
    )
    await scope.uow.commit()
    return Response(status_code=204)
