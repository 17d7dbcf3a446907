"""Who may use which till: a register or shift of one of the user's stores, or a refusal."""
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.pos.models import Register, Shift


def own_register(register_id: int) -> Register:
    """A register of one of the user's stores, or a refusal."""
    register = db.session.get(Register, register_id, options=[joinedload(Register.store)]) or abort(404)
    if not current_user.can_access_store(register.store_id):
        abort(403)
    return register


def own_shift(shift_id: int) -> Shift:
    shift = db.get_or_404(Shift, shift_id)
    own_register(shift.register_id)
    return shift
