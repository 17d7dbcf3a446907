from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation


def finite(_form, field):
    """NaN and Infinity are not quantities (and would break the range checks after this one)."""
    if field.data is not None and not field.data.is_finite():
        field.data = None
        raise StopValidation(_l("This is not a quantity."))


class NewTransferForm(FlaskForm):
    destination = SelectField(_l("To store"), coerce=int, validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class LineForm(FlaskForm):
    code = StringField(_l("Scan, or type a barcode, SKU code or name"), id="scan-code",
                       validators=[DataRequired(), Length(max=100)])
    quantity = DecimalField(_l("Quantity"), default=Decimal("1"), places=None,
                            validators=[InputRequired(), finite, NumberRange(min=Decimal("0.001"))])
    serial = StringField(_l("Serial number (serial goods)"), validators=[Optional(), Length(max=60)])


class ChangeLineForm(FlaskForm):
    quantity = DecimalField(_l("Quantity"), validators=[InputRequired(), finite, NumberRange(min=Decimal("0"))])


class ScanForm(FlaskForm):
    code = StringField(_l("Scan each item as it comes out of the box"), id="scan-code",
                       validators=[DataRequired(), Length(max=100)])
    damaged = StringField(validators=[Optional()])


class CountForm(FlaskForm):
    received = DecimalField(_l("Good"), validators=[InputRequired(), finite, NumberRange(min=Decimal("0"))])
    damaged = DecimalField(_l("Damaged"), default=Decimal("0"),
                           validators=[InputRequired(), finite, NumberRange(min=Decimal("0"))])


class ResolveForm(FlaskForm):
    resolution = SelectField(_l("Decision"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
