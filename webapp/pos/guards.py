"""Who may use which till: a register or shift of one of the user's stores, or a refusal."""
from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from webapp.extensions import db
from webapp.pos.models import Register, Shift, ShiftStatus


def own_register(register_id: int) -> Register:
    """A register of one of the user's stores, or a refusal."""
    register = db.session.get(Register, register_id, options=[joinedload(Register.store)]) or abort(404)
    if not current_user.can_access_store(register.store_id):
        abort(403)
    return register


# Built once: the statement and its cache key are made at import, not on every request of the till.
_TILL = (select(Register, Shift).join(Register.store)
         .outerjoin(Shift, and_(Shift.register_id == Register.id, Shift.status == ShiftStatus.OPEN.value))
         .where(Register.id == bindparam("register")).options(contains_eager(Register.store)).limit(1))


def own_till(register_id: int) -> tuple[Register, Shift | None]:
    """A register of one of the user's stores with its store and its open shift (None: closed), in one
    statement; or a refusal."""
    found = db.session.execute(_TILL, {"register": register_id}).first()
    if found is None:
        abort(404)
    register, shift = found
    if not current_user.can_access_store(register.store_id):
        abort(403)
    return register, shift


def own_shift(shift_id: int) -> Shift:
    shift = db.get_or_404(Shift, shift_id)
    own_register(shift.register_id)
    return shift

