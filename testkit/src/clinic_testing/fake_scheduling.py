"""Scheduling's session list (`GET /v1/sessions/states`) as the consumers' tests need it, served
over real HTTP: the sessions a test puts there, in version order, a page at a time. And its
treatments (`GET /v1/treatments/{code}`), which inventory asks of a kit for a new treatment:
every code, unless a test names the ones it holds.

The real pairing is `tests/system/test_reconciliation.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from clinic_shared.contracts.sessions import SessionState, SessionStatesPage
from clinic_testing.helpers import Served


@dataclass
class FakeScheduling:
    sessions: dict[uuid.UUID, SessionState] = field(default_factory=dict)
    status: int = 200
    asked: list[dict[str, Any]] = field(default_factory=list)
    treatments: set[str] | None = None  # None: every code is a treatment
    treatments_asked: list[dict[str, Any]] = field(default_factory=list)
    server: Served | None = None

    def put(self, state: SessionState) -> None:
        self.sessions[state.session_id] = state

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/sessions/states")
        async def states(request: Request) -> JSONResponse:
            params = dict(request.query_params)
            self.asked.append(params | {"authorization": request.headers.get("authorization")})
            if self.status != 200:
                return JSONResponse({"detail": "broken"}, status_code=self.status)
            ordered = sorted(self.sessions.values(), key=lambda s: (s.version, s.session_id))
            start, limit = int(params.get("after", 0)), int(params.get("limit", 200))
            items = ordered[start : start + limit]
            more = start + limit < len(ordered)
            page = SessionStatesPage(items=items, next=str(start + limit) if more else None)
            return JSONResponse(page.model_dump(mode="json"))

        @app.get("/v1/treatments/{code}")
        async def treatment(code: str, request: Request) -> JSONResponse:
            asked = {"code": code, "authorization": request.headers.get("authorization")}
            self.treatments_asked.append(asked)
            if self.status != 200:
                return JSONResponse({"detail": "broken"}, status_code=self.status)
            if self.treatments is not None and code not in self.treatments:
                return JSONResponse({"detail": "no such treatment"}, status_code=404)
            return JSONResponse({"code": code})

        return app


@asynccontextmanager
async def fake_scheduling() -> AsyncIterator[FakeScheduling]:
    fake = FakeScheduling()
    fake.server = Served(fake.app())
    await fake.server.start()
    try:
        yield fake
    finally:
        await fake.server.stop()
