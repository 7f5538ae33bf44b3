"""The app's PNG icons, drawn once from ``checkgame/web/assets/icon.svg``: ``python scripts/make_icons.py``.

The client has no build step, so the PNGs an installed app needs (Android's 192 and 512 px, their maskable
versions, iOS's 180 px home-screen icon) are committed; this script is how they were made, and how to remake
them after the SVG changes. Headless Chromium (the system's, ``/usr/bin/chromium``) draws the SVG: the plain
icons on a transparent background, the maskable ones on the felt colour with the card inside the central 60 %
(the safe zone a launcher's mask never cuts), and the iOS one on the felt as iOS shows no transparency.
"""

from __future__ import annotations

import argparse
import base64
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "checkgame" / "web" / "assets"
FELT = "#1d6b3a"
ICONS = {
    # file name: (size in px, share of the side the card takes, background)
    "icon-192.png": (192, 1.0, None),
    "icon-512.png": (512, 1.0, None),
    "icon-maskable-192.png": (192, 0.6, FELT),
    "icon-maskable-512.png": (512, 0.6, FELT),
    "icon-180.png": (180, 0.8, FELT),
}


def page_for(svg: bytes, size: int, share: float, background: str | None) -> str:
    inner = round(size * share)
    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    return (
        "<!doctype html><html><body style='margin:0'>"
        f"<div style='width:{size}px;height:{size}px;display:grid;place-items:center;"
        f"background:{background or 'transparent'}'>"
        f"<img src='{source}' width='{inner}' height='{inner}'></div></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=os.environ.get("CHECKGAME_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    svg = (ASSETS / "icon.svg").read_bytes()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium)
        for name, (size, share, background) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(page_for(svg, size, share, background))
            page.locator("img").evaluate("img => img.decode()")
            page.screenshot(path=str(ASSETS / name), omit_background=background is None)
            page.close()
            print(f"wrote {ASSETS / name}")
        browser.close()


if __name__ == "__main__":
    main()
