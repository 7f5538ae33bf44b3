"""The browser client: ``checkgame/web`` served at ``/``, ``/join/<code>``, ``/assets/...`` and ``/sw.js``.

The client is plain HTML, CSS and JavaScript modules with no build step, so
serving it is reading files. They are read once, when the app is built: a
request can only name a file that was found then (no path ever reaches the
file system), and each carries an ETag so a browser revalidates cheaply.
The Content-Security-Policy allows only our own scripts, styles,
sockets and service worker: the client has no inline script or style to exempt.

The service worker (``/sw.js``, at the root so that its scope is the whole
site) caches the app shell: the page and every file under ``assets/``. It is
served with the shell's version and file list written into it, so any change
to the client changes the worker's bytes and browsers install the new shell.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from quart import Quart, Response, request
from werkzeug.exceptions import NotFound

__all__ = ["CONTENT_SECURITY_POLICY", "install"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True, slots=True)
class _Asset:
    body: bytes
    content_type: str
    etag: str


def _load() -> dict[str, _Asset]:
    """Every servable file of the client, by its path under ``checkgame/web`` (``assets/app.js``)."""
    assets: dict[str, _Asset] = {}
    pending = [("", resources.files("checkgame") / "web")]
    while pending:
        prefix, folder = pending.pop()
        for entry in folder.iterdir():
            name = prefix + entry.name
            if entry.is_dir():
                pending.append((name + "/", entry))
                continue
            suffix = "." + entry.name.rpartition(".")[2]
            if suffix in _TYPES:
                body = entry.read_bytes()
                assets[name] = _Asset(body, _TYPES[suffix], '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
    return assets


def _service_worker(assets: dict[str, _Asset]) -> _Asset:
    """``sw.js`` with the shell it caches written in: every asset and the page, and a hash of them all."""
    shell = ["/", *sorted(f"/{name}" for name in assets if name.startswith("assets/"))]
    digest = hashlib.sha256()
    for path in shell:
        digest.update(path.encode() + b"\0" + assets["index.html" if path == "/" else path[1:]].body)
    source = assets["sw.js"].body.decode()
    for placeholder, value in (("__SHELL_VERSION__", digest.hexdigest()[:16]), ("__SHELL_FILES__", " ".join(shell))):
        if placeholder not in source:
            raise RuntimeError(f"sw.js lost its {placeholder} placeholder")
        source = source.replace(placeholder, value)
    body = source.encode()
    return _Asset(body, _TYPES[".js"], '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _respond(asset: _Asset, extra: dict[str, str] | None = None) -> Response:
    headers = {
        "ETag": asset.etag,
        "Cache-Control": "no-cache",  # unversioned file names: always revalidate (a 304 is cheap)
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        **(extra or {}),
    }
    if asset.etag in request.headers.get("If-None-Match", ""):
        return Response("", status=304, headers=headers)
    return Response(asset.body, status=200, headers=headers, content_type=asset.content_type)


def install(app: Quart) -> None:
    """Serve the client: the page at ``/`` and ``/join/<code>`` (a shareable link), its files under ``/assets/``.

    Not ``/static/``: Quart routes that prefix to the application's own static folder.
    """
    assets = _load()
    page = assets["index.html"]
    worker = _service_worker(assets)

    async def index(code: str | None = None) -> Response:
        return _respond(page)  # the client reads a join code from its own URL

    async def asset_file(name: str) -> Response:
        asset = assets.get(f"assets/{name}")
        if asset is None:
            raise NotFound(f"no file {name}")
        return _respond(asset)

    async def service_worker() -> Response:
        return _respond(worker, {"Service-Worker-Allowed": "/"})

    app.add_url_rule("/", "web_index", index, methods=["GET"])
    app.add_url_rule("/join/<code>", "web_join", index, methods=["GET"])
    app.add_url_rule("/assets/<path:name>", "web_assets", asset_file, methods=["GET"])
    app.add_url_rule("/sw.js", "web_service_worker", service_worker, methods=["GET"])
