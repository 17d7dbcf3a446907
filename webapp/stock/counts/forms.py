from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from webapp.stock.counts.models import Scope

SCOPE_LABELS = {Scope.STORE: _l("Whole store (full count)"), Scope.CATEGORY: _l("One category (cycle count)")}


class StartCountForm(FlaskForm):
    scope = SelectField(_l("What to count"), choices=[(s.value, label) for s, label in SCOPE_LABELS.items()])
    category_id = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    blind = BooleanField(_l("Blind count: people counting do not see the system quantity"), default=True)


class EntryForm(FlaskForm):
    # Quantities are parsed by the service (exact decimals, clear messages), not by WTForms.
    code = StringField(_l("Barcode or SKU code"), validators=[DataRequired(), Length(max=48)])
    quantity = StringField(_l("Quantity or weight (kg)"), validators=[Optional(), Length(max=20)])
    lot_code = StringField(_l("Lot or serial number"), validators=[Optional(), Length(max=60)])
    place = StringField(_l("Where (shelf, back room...)"), validators=[Optional(), Length(max=40)])


class ApproveForm(FlaskForm):
    zero_uncounted = BooleanField(_l("Set stock that nobody counted to zero"))
