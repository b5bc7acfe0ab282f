"""/docs (Swagger UI) and /redoc served with their assets from the app itself, so they work
offline, under a strict Content-Security-Policy.

FastAPI's own pages load Swagger UI and ReDoc from a CDN: without internet they are blank, and
their policy had to allow inline scripts. Here the assets are the copies the `fastapi-offline`
package ships (Swagger UI's bundle and stylesheet, ReDoc's standalone bundle, a favicon),
mounted at `DOCS_ASSETS`. We use the package's files, not its `FastAPIOffline` factory, which
builds the FastAPI app itself; `ASSETS_DIR` is the package's `static` folder, found next to its
module, and `tests/unit/test_docs_offline.py` checks every file the pages name is there (an
upgrade that moved them fails that test, not a clinic's browser).

Each page carries its own policy: only this origin, plus the sha256 of each inline script the
page holds (Swagger UI's start-up script, the OAuth redirect's), so no other inline script can
run. Inline styles are allowed: both viewers set styles from script (ReDoc's styled-components),
and a style cannot run code. ReDoc's search runs in a worker it starts from a `blob:` URL.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS = "/static/docs"
ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# Swagger UI's default would fetch a badge from validator.swagger.io: nothing leaves the origin.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def page_policy(html: str) -> str:
    """The Content-Security-Policy of a docs page: this origin, and its own inline scripts by
    hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {hashes}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        )
    )


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": page_policy(html)})


def install_docs(app: FastAPI) -> None:
    """Add /docs, /docs/oauth2-redirect and /redoc, and their assets, to an app created with
    `docs_url=None, redoc_url=None`."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(DOCS_ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _with_policy(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=redirect_url,
                swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
            )
        )

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _with_policy(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                with_google_fonts=False,
            )
        )
