#!/usr/bin/env python3
"""Draw the app icons: 货 in white on the brand red, rendered by Chromium.

Run from the repository root with the project's venv, then commit the PNGs:

    .venv/bin/python scripts/make_icons.py

Needs the CJK font WenQuanYi Micro Hei (Debian: fonts-wqy-microhei).

- icon-192.png, icon-512.png: a rounded square on a transparent ground (purpose "any").
- icon-maskable-192.png, icon-maskable-512.png: full bleed, the glyph inside the
  central safe circle (purpose "maskable"; the launcher cuts its own shape).
- apple-touch-icon.png (180): full bleed and opaque; iOS rounds the corners itself.
- favicon-32.png: the browser tab.
"""
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent.parent / "static" / "icons"
RED = "#c0392b"
GLYPH = "货"
FONT = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# file name: (size in px, full bleed, corner radius and glyph size as fractions of the size)
ICONS = {
    "icon-192.png": (192, False, 0.22, 0.66),
    "icon-512.png": (512, False, 0.22, 0.66),
    "icon-maskable-192.png": (192, True, 0.0, 0.50),
    "icon-maskable-512.png": (512, True, 0.0, 0.50),
    "apple-touch-icon.png": (180, True, 0.0, 0.62),
    "favicon-32.png": (32, False, 0.18, 0.78),
}


def html(size: int, radius: float, glyph: float) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; background: transparent; }}
div {{ width: {size}px; height: {size}px; border-radius: {radius * size:.1f}px; background: {RED};
      color: #fff; font: bold {glyph * size:.1f}px/{size}px {FONT}; text-align: center; }}
</style></head><body><div>{GLYPH}</div></body></html>"""


def main() -> None:
    exe = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=ARGS)
        for name, (size, full_bleed, radius, glyph) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(html(size, radius, glyph))
            page.wait_for_function("document.fonts.ready.then(() => true)")
            page.locator("div").screenshot(path=str(HERE / name), omit_background=not full_bleed)
            page.close()
            print(HERE / name)
        browser.close()


if __name__ == "__main__":
    main()
