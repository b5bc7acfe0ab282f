"""The access table: every route of a service, every role, and four kinds of bad token.

Each service's README has a `## Access` table, one row per route:

    | method | path | admin | receptionist | practitioner | stock_manager |
    |---|---|---|---|---|---|
    | GET | /v1/patients | yes | yes | yes | no |
    | GET | /healthz | public | public | public | public |
    | POST | /v1/webhooks/sms/inbound | signed | signed | signed | signed |

`yes`: the role gets past authorisation (any answer but 401/403); `no`: 403. Without a token,
with an expired token, a token signed with another secret or one with `alg: none`, every `yes`/`no`
route answers 401. `public` routes take no token; `signed` routes (the SMS provider's webhooks)
ignore tokens and refuse, with 403, a request that lacks the provider's signature. The test reads
the table, so the README cannot drift from the code, and a route without a row fails it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
from fastapi import FastAPI

from clinic_shared.auth import Role, mint_token

ROLES = [role.value for role in Role]
HEADER = ["method", "path", *ROLES]
CELLS = {"yes", "no", "public", "signed"}
SAMPLE_VALUES = {"code": "caffeine", "product_code": "caffeine", "treatment_code": "cellulite"}
WITH_BODY = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: dict[str, str]  # role -> yes | no | public | signed

    @property
    def kind(self) -> str:
        """`public`, `signed`, or `token` (the role columns decide)."""
        kinds = set(self.cells.values())
        if kinds in ({"public"}, {"signed"}):
            return kinds.pop()
        return "token"


def read_table(readme: Path) -> dict[tuple[str, str], Row]:
    """The rows of the README's `## Access` table, by (method, path)."""
    text = readme.read_text()
    section = re.search(r"^## Access\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"{readme} has no '## Access' section"
    lines = [line.strip() for line in section.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == HEADER, f"the access table's columns must be {HEADER}, not {header}"
    rows: dict[tuple[str, str], Row] = {}
    for line in lines[2:]:
        method, path, *cells = (cell.strip().strip("`") for cell in line.strip("|").split("|"))
        bad = set(cells) - CELLS
        assert not bad, f"{method} {path}: cells must be one of {sorted(CELLS)}, not {bad}"
        key = (method.upper(), path)
        assert key not in rows, f"{method} {path} is in the table twice"
        rows[key] = Row(key[0], path, dict(zip(ROLES, cells, strict=True)))
    return rows


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, from its OpenAPI document.

    The services hide no route from their schema (`include_in_schema=False`), so the document
    lists every route; the fuzz tests rely on that too.
    """
    paths = app.openapi()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def concrete(path: str) -> str:
    """The path with each parameter filled in: ids get a fresh UUID, codes a real-looking code."""
    return re.sub(r"{(\w+)}", lambda m: SAMPLE_VALUES.get(m.group(1), str(uuid.uuid4())), path)


@dataclass(frozen=True)
class Tokens:
    secret: str
    issuer: str = "clinic"

    def of(self, role: str) -> str:
        return mint_token(self.secret, role=Role(role), issuer=self.issuer)

    def bad(self) -> dict[str, str | None]:
        """Tokens that must never get in, by what is wrong with them."""
        now = datetime.now(UTC)
        claims = {"sub": "mallory", "role": "admin", "iss": self.issuer, "iat": now}
        return {
            "no token": None,
            "expired": mint_token(
                self.secret, role=Role.ADMIN, issuer=self.issuer, now=now - timedelta(hours=9)
            ),
            "wrong signature": mint_token(
                "another-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
                role=Role.ADMIN,
                issuer=self.issuer,
            ),
            "alg none": jwt.encode(
                claims | {"exp": now + timedelta(hours=1)}, key="", algorithm="none"
            ),
        }


async def _ask(client: httpx.AsyncClient, row: Row, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    body: dict[str, str] | None = {} if row.method in WITH_BODY else None
    response = await client.request(row.method, concrete(row.path), headers=headers, json=body)
    return response.status_code


async def mismatches(
    app: FastAPI, client: httpx.AsyncClient, readme: Path, tokens: Tokens
) -> list[str]:
    """Every way the running app differs from its README's access table, in words."""
    table = read_table(readme)
    served = routes_of(app)
    problems = [f"{m} {p}: served but has no row in the table" for m, p in served - table.keys()]
    problems += [f"{m} {p}: in the table but not served" for m, p in table.keys() - served]
    for key in sorted(served & table.keys()):
        row = table[key]
        where = f"{row.method} {row.path}"
        if row.kind == "public":
            status = await _ask(client, row, None)
            if status in (401, 403):
                problems.append(f"{where}: public, but without a token it answered {status}")
            continue
        if row.kind == "signed":
            for who, token in [*tokens.bad().items(), *((r, tokens.of(r)) for r in ROLES)]:
                status = await _ask(client, row, token)
                if status != 403:
                    problems.append(f"{where}: unsigned, with {who}, answered {status}, not 403")
            continue
        for what, token in tokens.bad().items():
            status = await _ask(client, row, token)
            if status != 401:
                problems.append(f"{where}: with {what} answered {status}, not 401")
        for role, cell in row.cells.items():
            status = await _ask(client, row, tokens.of(role))
            if cell == "no" and status != 403:
                problems.append(f"{where}: {role} is refused in the table but got {status}")
            if cell == "yes" and status in (401, 403):
                problems.append(f"{where}: {role} is allowed in the table but got {status}")
    return problems
