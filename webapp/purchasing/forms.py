from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class SupplierForm(FlaskForm):
    name = StringField(_l("Supplier name"), validators=[DataRequired(), Length(max=100)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    lead_time_days = IntegerField(_l("Lead time (days)"), default=2,
                                  validators=[InputRequired(), NumberRange(min=0, max=365)])
    minimum_order = DecimalField(_l("Minimum order (yuan)"), default=Decimal("0"), places=2,
                                 validators=[InputRequired(), NumberRange(min=0)])


class SupplierItemForm(FlaskForm):
    code = StringField(_l("Barcode or SKU code"), validators=[DataRequired()])
    cost_price = DecimalField(_l("Cost price (yuan)"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    pack_size = DecimalField(_l("Pack size"), default=Decimal("1"),
                             validators=[InputRequired(), NumberRange(min=Decimal("0.001"))])
    min_order_qty = DecimalField(_l("Minimum order quantity"), default=Decimal("0"),
                                 validators=[InputRequired(), NumberRange(min=0)])
    pack_barcode = StringField(_l("Pack barcode"), validators=[Optional(), Length(max=48)])


class NewOrderForm(FlaskForm):
    supplier_id = SelectField(_l("Supplier"), coerce=int, validators=[InputRequired()])


class OrderLineForm(FlaskForm):
    code = StringField(_l("Barcode or SKU code"), validators=[DataRequired()])
    quantity = DecimalField(_l("Quantity"), validators=[InputRequired()])
    unit_cost = DecimalField(_l("Unit cost (yuan)"), places=2, validators=[Optional()])


class StartReceivingForm(FlaskForm):
    supplier_id = SelectField(_l("Supplier"), coerce=int, validators=[Optional()])


class ScanForm(FlaskForm):
    code = StringField(_l("Scan or type a barcode"), validators=[DataRequired()])
    pack = BooleanField(_l("Count a pack"))
    add_anyway = BooleanField(_l("Add anyway"))


class ReceivingLineForm(FlaskForm):
    quantity = DecimalField(_l("Quantity"), validators=[InputRequired()])
    unit_cost = DecimalField(_l("Unit cost (yuan)"), places=2, validators=[InputRequired()])
    lot_code = StringField(_l("Lot or serial number"), validators=[Optional(), Length(max=60)])
    expiry = DateField(_l("Expiry date"), validators=[Optional()])
