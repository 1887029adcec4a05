"""The ASGI app: routes, authentication, size and rate limits, and honest status codes.

Every intake route reads the raw body itself (bounded), authenticates before parsing, and
answers 202 only once Temporal has every report. Request bodies are documented in the served
OpenAPI from the same models that parse them.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client

from activities.action_links import action_links_from_environment
from api import alertmanager, grafana, pagerduty
from api.action_pages import action_pages
from api.alertmanager import AlertmanagerNotification
from api.grafana import GrafanaNotification, SignatureMissingSecret
from api.intake import (
    SATURATED_RETRY_AFTER,
    UNAVAILABLE_RETRY_AFTER,
    IncidentOutcome,
    Intake,
    Saturated,
    Unavailable,
)
from api.intake_metrics import count_intake
from api.keys import KeyMatch, bearer_key, find_integration
from api.policy_source import PolicySource
from api.problems import BadRequest, validation_problems
from api.ratelimit import RateLimits
from api.reports import Fire, Report
from api.sendgrid_events import sendgrid_events
from api.settings import MAX_BODY_BYTES, HttpSettings
from api.slack_routes import slack_router
from api.twilio_webhooks import twilio_router
from escalation.alerts import Alert
from escalation.integrations import IntegrationType
from escalation.policy import Policy

logger = logging.getLogger(__name__)
READY_TIMEOUT = timedelta(seconds=3)


class Accepted(BaseModel):
    """202: Temporal has every report; what each did."""

    status: Literal["accepted"] = "accepted"
    incidents: list[IncidentOutcome]


class Refused(BaseModel):
    """4xx or 5xx: nothing was opened by this request (a 5xx or 429: retry it)."""

    status: str
    message: str
    errors: list[str] = Field(default=[], description="One line per bad field: `path: problem`")


class EnqueueAccepted(BaseModel):
    """PagerDuty's answer to an event, with the incident it reached."""

    status: Literal["success"] = "success"
    message: Literal["Event processed"] = "Event processed"
    dedup_key: str
    incident: IncidentOutcome


class Refusal(Exception):
    """Answer with this status and body; `retry_after` adds the header."""

    def __init__(
        self, code: int, status: str, message: str, errors: list[str] | None = None, **kw: Any
    ) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message
        self.errors = errors or []
        self.retry_after: int | None = kw.get("retry_after")


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


_REFUSED: dict[int | str, dict[str, Any]] = {
    code: {"model": Refused, "description": text}
    for code, text in (
        (400, "A bad body; each bad field is named"),
        (401, "No key, or a key no integration holds"),
        (403, "A known key presented on another integration's endpoint"),
        (413, f"Body larger than {MAX_BODY_BYTES} bytes"),
        (429, "Over the integration's rate limit, or the incident is saturated: Retry-After"),
        (503, "Temporal is unreachable: retry"),
    )
}


class FrontDoor:
    """The intake routes' work: admit (key, integration type, rate), parse, deliver."""

    def __init__(self, client: Client, policies: PolicySource, intake: Intake) -> None:
        self.client = client
        self.policies = policies
        self.intake = intake
        self.limits = RateLimits()

    def admit(self, kind: IntegrationType, key: str | None) -> tuple[KeyMatch, Policy]:
        """Key and rate checks (the body was already bounded); the policy in force."""
        policy = self.policies.current()
        match = find_integration(key, policy.integrations)
        if match is None:
            raise Refusal(401, "unauthorized", "no key, or a key that no integration holds")
        if match.integration.type != kind:
            raise Refusal(
                403,
                "forbidden",
                f"this key belongs to integration {match.name!r} ({match.integration.type}), "
                f"not to a {kind} integration",
            )
        wait = self.limits.retry_after(match.name, match.integration.rate_limit)
        if wait is not None:
            raise Refusal(
                429,
                "rate limited",
                f"integration {match.name!r} is over its rate limit",
                retry_after=wait,
            )
        return match, policy

    async def deliver(self, reports: list[Report], policy: Policy) -> list[IncidentOutcome]:
        """To Temporal, or the refusal that tells the sender to retry."""
        try:
            return await self.intake.take(reports, policy)
        except Saturated as error:
            raise Refusal(429, "saturated", str(error), retry_after=SATURATED_RETRY_AFTER) from None
        except Unavailable as error:
            raise Refusal(
                503, "unavailable", str(error), retry_after=UNAVAILABLE_RETRY_AFTER
            ) from None

    async def alert(self, request: Request) -> Accepted:
        """Our Alert JSON; `source` defaults to the integration, `service` to its service."""
        body = await _bounded_body(request)
        match, policy = self.admit("generic", bearer_key(request.headers.get("authorization")))
        document = _json(body)
        if isinstance(document, dict):
            document.setdefault("source", match.name)
            if match.integration.service:
                document.setdefault("service", match.integration.service)
        try:
            alert = Alert.model_validate(document)
        except ValidationError as error:
            raise _bad(validation_problems(error)) from None
        return Accepted(incidents=await self.deliver([Fire(alert)], policy))

    async def notification(
        self, request: Request, kind: Literal["alertmanager", "grafana"]
    ) -> Accepted:
        """Alertmanager's or Grafana's webhook body (Grafana's signature checked first)."""
        body = await _bounded_body(request)
        match, policy = self.admit(kind, bearer_key(request.headers.get("authorization")))
        model = AlertmanagerNotification if kind == "alertmanager" else GrafanaNotification
        if kind == "grafana":
            try:
                signed = grafana.signature_valid(match.integration, request.headers, body)
            except SignatureMissingSecret as error:
                logger.error("%s", error)
                raise Refusal(503, "unavailable", "the signature cannot be checked") from None
            if not signed:
                raise Refusal(401, "unauthorized", f"{grafana.SIGNATURE_HEADER} does not match")
        try:
            parsed = alertmanager.parse(model, _json(body))
            reports = alertmanager.reports(
                parsed, name=match.name, integration=match.integration, policy=policy, sender=kind
            )
        except BadRequest as error:
            raise _bad(error.problems) from None
        return Accepted(incidents=await self.deliver(reports, policy))

    async def alertmanager(self, request: Request) -> Accepted:
        return await self.notification(request, "alertmanager")

    async def grafana(self, request: Request) -> Accepted:
        return await self.notification(request, "grafana")

    async def enqueue(self, request: Request) -> EnqueueAccepted:
        """A PagerDuty event; its key is `routing_key`, inside the body."""
        document = _json(await _bounded_body(request))
        routing_key = document.get("routing_key") if isinstance(document, dict) else None
        match, policy = self.admit(
            "pagerduty", routing_key if isinstance(routing_key, str) else None
        )
        try:
            event = pagerduty.parse(document)
            dedup_key = pagerduty.sender_dedup_key(event)
            report = pagerduty.report(
                event, dedup_key, name=match.name, integration=match.integration, policy=policy
            )
        except BadRequest as error:
            raise Refusal(400, "invalid event", "Event object is invalid", error.problems) from None
        [outcome] = await self.deliver([report], policy)
        return EnqueueAccepted(dedup_key=dedup_key, incident=outcome)

    async def ready(self) -> JSONResponse:
        """200 while Temporal answers, else 503."""
        try:
            await self.client.workflow_service.get_system_info(
                GetSystemInfoRequest(), timeout=READY_TIMEOUT
            )
        except Exception as error:
            return JSONResponse(
                {"status": "unavailable", "message": f"Temporal does not answer: {error}"[:500]},
                status_code=503,
                headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
            )
        return JSONResponse({"status": "ready"})


async def _refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Refusal)
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    body = Refused(status=error.status, message=error.message, errors=error.errors)
    return JSONResponse(body.model_dump(), status_code=error.code, headers=headers)


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


INTAKE_KINDS = {"alert": "generic", "enqueue": "pagerduty"}
"""The metrics label of each intake route, named like the integration types it serves."""

INTAKE_ROUTES = (
    ("/v1/alerts", "alert", Alert, Accepted, "Our Alert JSON: open, or join by dedup_key"),
    (
        "/v1/integrations/alertmanager",
        "alertmanager",
        AlertmanagerNotification,
        Accepted,
        "Alertmanager webhook (version 4): one incident per group or per alert",
    ),
    (
        "/v1/integrations/grafana",
        "grafana",
        GrafanaNotification,
        Accepted,
        "Grafana Alerting webhook contact point; its signature is checked when a secret is set",
    ),
    (
        "/v2/enqueue",
        "enqueue",
        pagerduty.Event,
        EnqueueAccepted,
        "PagerDuty Events API v2: trigger, acknowledge, resolve",
    ),
)


def create_app(
    client: Client, policies: PolicySource, settings: HttpSettings, task_queue: str | None = None
) -> FastAPI:
    """The service, bound to one Temporal client and one policy file."""
    app = FastAPI(
        title="Escalation HTTP front door",
        version="1",
        description="Alerts from Alertmanager, Grafana, PagerDuty Events v2 senders and anything "
        "that speaks JSON, into incidents.",
        servers=[{"url": settings.public_url}],
    )
    intake = Intake(client, task_queue) if task_queue else Intake(client)
    door = FrontDoor(client, policies, intake)
    app.state.intake = intake
    app.add_exception_handler(Refusal, _refused)
    for path, method, body, answer, summary in INTAKE_ROUTES:
        app.post(
            path,
            status_code=202,
            response_model=answer,
            responses=_REFUSED,
            openapi_extra=_body_doc(body),
            summary=summary,
        )(getattr(door, method))
    count_intake(
        app, {path: INTAKE_KINDS.get(method, method) for path, method, *_ in INTAKE_ROUTES}
    )
    app.include_router(twilio_router(client, policies, settings, task_queue))
    app.include_router(slack_router(client, policies, task_queue))
    app.get("/healthz", summary="The process answers")(_healthz)
    app.get("/readyz", summary="Ready only while Temporal answers", responses={503: {}})(door.ready)
    app.include_router(action_pages(client, action_links_from_environment()))
    app.include_router(sendgrid_events(client, _bounded_body))
    return app


async def _bounded_body(request: Request) -> bytes:
    """The raw body, refused with 413 past MAX_BODY_BYTES without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Refusal:
    return Refusal(413, "too large", f"bodies are limited to {MAX_BODY_BYTES} bytes")


def _bad(problems: list[str]) -> Refusal:
    return Refusal(400, "invalid", "the body is not a valid alert", problems)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise _bad([f"body: not JSON: {str(error)[:200]}"]) from None
