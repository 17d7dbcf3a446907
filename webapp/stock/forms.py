from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional


class ReceiveForm(FlaskForm):
    code = StringField(_l("Barcode or SKU code"), validators=[DataRequired()])
    quantity = DecimalField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=Decimal("0.001"))])
    unit_cost = DecimalField(_l("Unit cost (yuan)"), validators=[InputRequired(), NumberRange(min=0)], places=2)
    lot_code = StringField(_l("Lot or serial number"), validators=[Optional()])
    expiry = DateField(_l("Expiry date"), validators=[Optional()])


class OpeningStockImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])
