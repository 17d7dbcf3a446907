from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from webapp.pos.services import DENOMINATIONS as _ACCEPTED

# Renminbi notes and coins, in yuan, largest first: the ones the shift's count accepts.
DENOMINATIONS = [format(d.normalize(), "f") for d in sorted(_ACCEPTED, reverse=True)]


def finite(_form, field):
    """NaN and Infinity are not amounts (and would break the range checks after this one)."""
    if field.data is not None and not field.data.is_finite():
        field.data = None
        raise StopValidation(_l("This is not an amount."))


class RegisterForm(FlaskForm):
    name = StringField(_l("Till name"), validators=[DataRequired(), Length(max=50)])
    receipt_width = SelectField(_l("Receipt paper"), coerce=int, choices=[(80, "80 mm"), (58, "58 mm")])


class OpenShiftForm(FlaskForm):
    opening_float = DecimalField(_l("Opening float (yuan)"), places=2,
                                 validators=[InputRequired(), finite, NumberRange(min=Decimal(0))])


class CashForm(FlaskForm):
    kind = RadioField(_l("Cash"), choices=[("in", _l("Put in")), ("out", _l("Take out"))], default="out")
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[InputRequired(), finite])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class CloseShiftForm(FlaskForm):
    """One count field per denomination, named d100, d50 ... d0_1."""


for _denomination in DENOMINATIONS:
    setattr(CloseShiftForm, "d" + _denomination.replace(".", "_"),
            IntegerField(f"¥{_denomination}", default=0, validators=[Optional(), NumberRange(min=0, max=100000)]))


def counted_notes(form: CloseShiftForm) -> dict[str, int]:
    return {d: getattr(form, "d" + d.replace(".", "_")).data or 0 for d in DENOMINATIONS}


class ReturnSearchForm(FlaskForm):
    number = StringField(_l("Receipt number"), validators=[DataRequired(), Length(max=40)],
                         render_kw={"data-scan-target": "", "data-scan-submit": "", "autocomplete": "off"})
