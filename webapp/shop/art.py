"""Pictures the shop draws itself: a product's placeholder and the pickup QR code, both SVG."""
import hashlib
import io
from functools import lru_cache
from xml.sax.saxutils import escape

import segno

# Soft colours that keep white text readable.
PALETTE = ["#c0392b", "#d35400", "#b7950b", "#27ae60", "#16a085", "#2980b9", "#8e44ad", "#2c3e50",
           "#a04000", "#1e8449"]


def placeholder_svg(name: str) -> str:
    """A square with the name's first character on a colour chosen by the name."""
    colour = PALETTE[int(hashlib.sha1(name.encode()).hexdigest(), 16) % len(PALETTE)]
    initial = escape(name.strip()[:1] or "?")
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img">'
            f'<rect width="100" height="100" rx="12" fill="{colour}"/>'
            f'<text x="50" y="50" dy=".35em" text-anchor="middle" font-size="52" fill="#fff" '
            f'font-family="sans-serif">{initial}</text></svg>')


@lru_cache(maxsize=4096)
def qr_svg(data: str) -> str:
    """The QR code of ``data`` as an inline SVG (one path, scalable, no fixed size), drawn by segno; kept per
    process (a few ms of CPU each, and an open order's page is polled every few seconds)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=10, border=2,
                                     svgclass="qr", omitsize=True)
    return out.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)
