"""The till's device settings: the hardware bridge's address and pairing, the devices' state, a test
print and the drawer; and the page the link `huotong-bridge pair` prints opens.

The bridge runs on the till and the browser talks to it directly (docs/bridge.md): the server never
sees the token or the devices. These pages give the browser the words and the test receipt;
static/js/till_settings.js does the rest through bridge.js (HuotongBridge).
"""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.clock import local_time, utcnow
from webapp.pos.blueprint import bp
from webapp.pos.guards import own_register
from webapp.pos.models import Register
from webapp.web import render

DEFAULT_BRIDGE_URL = "ws://127.0.0.1:8765/"


@bp.get("/registers/<int:register_id>/bridge")
@require_role(*STAFF)
def bridge_settings(register_id: int):
    register = own_register(register_id)
    return render("pos/bridge.html", register=register, test_receipt=test_receipt(register, current_user),
                  default_url=DEFAULT_BRIDGE_URL)


@bp.get("/bridge/pair")
def bridge_pair():
    """Where the pairing link leads: bridge.js stores the token from the link's fragment (which never
    reaches the server), and the page says whether it did. Open to anyone: it shows nothing of the shop,
    and the cashier who opens it on a new till may not have signed in yet."""
    return render("pos/bridge_pair.html")


def test_receipt(register: Register, user) -> dict:
    """A short receipt for the printer test, in the shop's language, as wide as the till's paper."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        now = local_time(utcnow())
        store = register.store
        return {
            "number": f"TEST-{now:%Y%m%d-%H%M%S}",
            "paper": f"{register.receipt_width}mm",
            "store": {"name": store.name, "lines": [register.name]},
            "time": now.strftime("%Y-%m-%d %H:%M"),
            "cashier": user.name if user else "",
            "lines": [{"name": _("Printer test: 中文 ABC 123"), "qty": "1", "unit_price": "0.00", "amount": "0.00"}],
            "totals": [{"label": _("Total"), "amount": "0.00"}],
            "code": "qr",
            "footer": [_("The printer works. This is not a receipt.")],
            "labels": {"number": _("No."), "time": _("Time"), "cashier": _("Cashier"), "item": _("Item"),
                       "qty": _("Qty"), "price": _("Price"), "amount": _("Amount")},
        }
