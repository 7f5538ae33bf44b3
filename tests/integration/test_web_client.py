"""The browser client's files as the server serves them: types, caching, the CSP, join links, no escape.

The browser tests (tests/browser) play through these pages; here the serving itself is checked, with plain
HTTP, so it runs everywhere.
"""

from __future__ import annotations

import re
from importlib import resources

import httpx
import pytest

from tests.integration.conftest import Server, expect_error

ASSETS = resources.files("checkgame") / "web" / "assets"


async def test_the_page_is_served_at_the_root_and_at_join_links(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as web:
        page = await web.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert (await web.get("/join/ABC234")).text == page.text
        assert (await web.get("/?join=ABC234")).text == page.text  # the joinUrl a created session gets
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "default-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page.text, flags=re.S)
    assert scripts == [""], "every script is a file: the CSP allows no inline script"
    assert 'type="module" src="/assets/app.js"' in page.text
    assert " style=" not in page.text
    assert "<style" not in page.text


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
        ("icon-192.png", "image/png"),
        ("manifest.webmanifest", "application/manifest+json"),
    ],
)
async def test_asset_files_have_their_content_type_and_revalidate(server: Server, name: str, content_type: str) -> None:
    async with httpx.AsyncClient(base_url=server.url) as web:
        first = await web.get(f"/assets/{name}")
        assert first.status_code == 200
        assert first.headers["content-type"] == content_type
        assert first.content == (ASSETS / name).read_bytes()
        assert first.headers["cache-control"] == "no-cache"
        etag = first.headers["etag"]
        again = await web.get(f"/assets/{name}", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag


async def test_every_module_the_page_imports_is_served(server: Server) -> None:
    """Follow the import statements from app.js: a missing file would break the page in every browser."""
    seen: set[str] = set()
    pending = ["app.js"]
    async with httpx.AsyncClient(base_url=server.url) as web:
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            response = await web.get(f"/assets/{name}")
            assert response.status_code == 200, name
            assert response.headers["content-type"] == "text/javascript; charset=utf-8", name
            pending.extend(re.findall(r'from "\./([\w.]+\.js)"', response.text))
    expected = {"app.js", "api.js", "socket.js", "model.js", "rules.js", "cards.js", "table.js", "words.js", "sound.js"}
    assert expected <= seen


async def test_the_service_worker_caches_exactly_the_shell_and_is_versioned_by_it(server: Server) -> None:
    """At the root (its scope is the site), with the shell's files and version written in by the server."""
    async with httpx.AsyncClient(base_url=server.url) as web:
        response = await web.get("/sw.js")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["service-worker-allowed"] == "/"
        assert "worker-src 'self'" in response.headers["content-security-policy"]
        assert "__SHELL" not in response.text, "every placeholder is filled in"
        version = re.search(r'const VERSION = "([0-9a-f]{16})";', response.text)
        files = re.search(r'const SHELL = "([^"]+)"', response.text)
        assert version
        assert files
        shell = files.group(1).split(" ")
        assert shell[0] == "/"
        on_disk = {f"/assets/{entry.name}" for entry in ASSETS.iterdir() if entry.is_file()}
        assert set(shell[1:]) == on_disk, "every file of the client, and nothing else"
        assert not [path for path in shell if path.startswith(("/api", "/ws"))]
        for path in shell:
            assert (await web.get(path)).status_code == 200, path
        etag = response.headers["etag"]
        assert (await web.get("/sw.js", headers={"If-None-Match": etag})).status_code == 304


def test_the_shell_version_changes_with_any_file_of_the_client() -> None:
    from checkgame.transport.http.web import _Asset, _load, _service_worker

    assets = _load()
    before = _service_worker(assets).body
    changed = dict(assets)
    style = assets["assets/style.css"]
    changed["assets/style.css"] = _Asset(style.body + b"\n", style.content_type, "x")
    assert _service_worker(changed).body != before
    assert _service_worker(dict(assets)).body == before  # and only then


@pytest.mark.parametrize(
    "path",
    ["/assets/nothing.js", "/assets/../pyproject.toml", "/assets/%2e%2e/app.py", "/assets/", "/join/", "/index.html"],
)
async def test_only_the_client_files_are_served(server: Server, path: str) -> None:
    async with httpx.AsyncClient(base_url=server.url) as web:
        response = await web.get(path)
    expect_error(response, 404, "NOT_FOUND")
