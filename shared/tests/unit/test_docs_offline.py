"""Issue 22: /docs and /redoc work offline. Every script, style and image the pages name is served
by the service itself, and their policy lets nothing else load and no other inline script run."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import httpx
import pytest

from clinic_shared.auth import TokenVerifier
from clinic_shared.docs import ASSET_FILES, ASSETS_DIR, page_policy
from clinic_shared.web import create_app


class Runtime:
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        return True, {}


@pytest.fixture
async def client() -> Any:
    app = create_app(
        title="docs",
        runtime=Runtime(),
        verifier=TokenVerifier("docs-secret-" + "x7" * 16),
        routers=[],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


def test_the_packaged_assets_are_where_the_pages_look() -> None:
    """Guards `clinic_shared.docs.ASSETS_DIR`, the fastapi-offline package's own folder."""
    for name in ASSET_FILES:
        assert (ASSETS_DIR / name).stat().st_size > 0, name


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_each_page_loads_only_from_the_service_itself(client, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    linked = re.findall(r'(?:src|href|spec-url)="([^"]+)"', html) + re.findall(
        r"url: '([^']+)'", html
    )
    for url in linked:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
        asset = await client.get(url)
        assert asset.status_code == 200, url
    assert "cdn" not in html.lower()
    assert "fonts.googleapis" not in html


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_a_page_allows_its_own_inline_scripts_and_no_other(client, page: str) -> None:
    response = await client.get(page)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    for body in re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src


def test_a_changed_inline_script_is_not_allowed() -> None:
    policy = page_policy("<script>alert(1)</script>")
    injected = "<script>alert(2)</script>"
    digest = base64.b64encode(hashlib.sha256(b"alert(2)").digest()).decode()
    assert digest not in policy
    assert injected not in policy
