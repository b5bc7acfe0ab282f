"""Inventory's lot check as scheduling's tests need it, served over real HTTP.

Every lot is usable unless a test refuses it; a test can also make the check fail (a status
code) or answer late (a delay). The real pairing is `tests/system/test_completion_lots.py`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from clinic_testing.helpers import Served


@dataclass
class FakeInventory:
    refused: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    status: int = 200
    delay: float = 0.0
    asked: list[dict[str, Any]] = field(default_factory=list)
    server: Served | None = None

    def refuse(self, product_code: str, lot_number: str, reason: str, detail: str) -> None:
        self.refused[(product_code, lot_number)] = (reason, detail)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/lots/check")
        async def check(request: Request) -> JSONResponse:
            body = await request.json()
            self.asked.append(body | {"authorization": request.headers.get("authorization")})
            await asyncio.sleep(self.delay)
            if self.status != 200:
                return JSONResponse({"detail": "broken"}, status_code=self.status)
            lines = [self._verdict(line) for line in body["lines"]]
            usable = all(line["usable"] for line in lines)
            return JSONResponse(
                {"session_on": body["session_on"], "usable": usable, "lines": lines}
            )

        return app

    def _verdict(self, line: dict[str, str]) -> dict[str, Any]:
        reason, detail = self.refused.get((line["product_code"], line["lot_number"]), (None, None))
        return line | {"usable": reason is None, "reason": reason, "detail": detail}
