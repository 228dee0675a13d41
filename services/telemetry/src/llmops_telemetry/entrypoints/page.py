"""``GET /``: the dashboard page, one static HTML file with inline CSS and JS (no CDN).

It holds no data, so it needs no key; its script reads the key from the URL fragment or a form,
keeps it in sessionStorage and sends it as ``Authorization: Bearer`` to the JSON APIs. The
Content-Security-Policy allows only this page's own inline script and style (by hash) and
requests to this origin.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files

from aiohttp import web


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def page() -> tuple[str, str]:
    """The page and its Content-Security-Policy."""
    html = files("llmops_telemetry.entrypoints").joinpath("page.html").read_text(encoding="utf-8")
    scripts = " ".join(_hash(s) for s in re.findall(r"<script>(.*?)</script>", html, re.S))
    styles = " ".join(_hash(s) for s in re.findall(r"<style>(.*?)</style>", html, re.S))
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src {styles}; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return html, policy


def routes() -> list[web.RouteDef]:
    async def index(request: web.Request) -> web.Response:
        html, policy = page()
        headers = {
            "Content-Security-Policy": policy,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
        return web.Response(text=html, content_type="text/html", headers=headers)

    async def favicon(request: web.Request) -> web.Response:
        return web.Response(status=204)

    return [web.get("/", index), web.get("/favicon.ico", favicon)]
