"""Schemathesis against a served service: every phase (examples, coverage, fuzzing, stateful) and
every check of the repository's `schemathesis.toml`, as an admin so every route is reachable.

The run is the Schemathesis CLI in a subprocess against the service served over real HTTP in the
test's event loop (`served`): exactly what a client sees, with the report a person can act on
(each failure with the curl that reproduces it) as the assertion message.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clinic_shared.auth import Role, mint_token
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET


@dataclass(frozen=True)
class FuzzRun:
    service: str
    exit_code: int
    report: str

    def assert_clean(self) -> None:
        assert self.exit_code == 0, (
            f"Schemathesis found failures in {self.service} (exit {self.exit_code}):\n{self.report}"
        )


async def schemathesis(
    service: str,
    base_url: str,
    *,
    config: Path,
    role: Role = Role.ADMIN,
    secret: str = DEVELOPMENT_JWT_SECRET,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> FuzzRun:
    """Run `schemathesis run` on `base_url`'s OpenAPI with a bearer token for `role`; `env` adds
    to the subprocess's environment (for hooks: `SCHEMATHESIS_HOOKS` and what they read)."""
    token = mint_token(secret, role=role)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        *args,
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        return FuzzRun(
            service, -1, f"timed out after {timeout}s\n{output.decode(errors='replace')}"
        )
    assert process.returncode is not None
    return FuzzRun(service, process.returncode, output.decode(errors="replace"))
