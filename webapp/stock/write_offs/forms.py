from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.stock.write_offs.models import WriteOffReason

REASON_LABELS = {
    WriteOffReason.DAMAGED: _l("Damaged"),
    WriteOffReason.EXPIRED: _l("Expired"),
    WriteOffReason.STOLEN: _l("Stolen or missing"),
    WriteOffReason.USED_IN_STORE: _l("Used in the store"),
}


class LineForm(FlaskForm):
    code = StringField(_l("Barcode or SKU code"), validators=[DataRequired(), Length(max=48)])
    quantity = StringField(_l("Quantity or weight (kg)"), validators=[Optional(), Length(max=20)])
    lot_code = StringField(_l("Lot or serial number"), validators=[Optional(), Length(max=60)])


class PostForm(FlaskForm):
    reason = SelectField(_l("Reason"), choices=[("", "—")] + [(r.value, label) for r, label in REASON_LABELS.items()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 5 MB)"))


class ReportForm(Form):
    """The report's filters, read from the query string (a GET: no CSRF)."""

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    reason = SelectField(_l("Reason"), choices=[("", _l("All reasons"))] + [(r.value, label) for r, label in REASON_LABELS.items()],
                         validators=[Optional()])
