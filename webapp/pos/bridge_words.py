"""The till's words for the bridge's error codes (bridge/errors.py): the bridge speaks codes, the page
shows them in the cashier's language (till.js reads them from the page's JSON block)."""
from flask_babel import lazy_gettext as _l

from webapp.pos.blueprint import bp

BRIDGE_ERRORS = {
    "bridge_error": _l("The hardware bridge reported a problem."),
    "config_error": _l("The hardware bridge is not set up correctly."),
    "bad_request": _l("The hardware bridge did not understand the request."),
    "unknown_command": _l("The hardware bridge does not know this command."),
    "id_reused": _l("The hardware bridge refused a repeated request."),
    "device_absent": _l("The device is not connected."),
    "unsupported_command": _l("This device cannot do that."),
    "device_error": _l("The device reported an error."),
    "device_gone": _l("The device was unplugged."),
    "device_busy": _l("The device is in use by another program, or not permitted."),
    "scale_error": _l("The scale reported an error."),
    "no_weight": _l("The scale gave no steady weight."),
    "printer_not_ready": _l("The printer is not ready."),
    "printer_offline": _l("The printer is offline."),
    "paper_out": _l("The printer is out of paper."),
    "cover_open": _l("The printer's cover is open."),
    "invalid_receipt": _l("The receipt could not be printed as sent."),
    "timeout": _l("The hardware bridge did not answer in time."),
    "disconnected": _l("The hardware bridge is not connected."),
    # not the bridge's: an address typed or linked in the settings that is not on this machine
    "bad_address": _l("The bridge's address must be on this till: ws://127.0.0.1:port/ or ws://localhost:port/."),
    # not the bridge's: a keyboard-wedge scan that arrived cut (bridge.js puts the code in place of {code})
    "partial_scan": _l("Only part of a code arrived: “{code}”. Scan it again."),
}


@bp.app_template_global()
def bridge_error_words() -> dict[str, str]:
    return {code: str(words) for code, words in BRIDGE_ERRORS.items()}
