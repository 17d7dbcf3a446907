from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.stores.models import StoreKind

KIND_LABELS = {
    StoreKind.HQ_WAREHOUSE: _l("HQ warehouse"),
    StoreKind.DIRECT: _l("Direct store"),
    StoreKind.FRANCHISE: _l("Franchise store"),
}


class StoreForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Store name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=50)])
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=100)])
    allow_negative_stock = BooleanField(_l("A till sale may drive stock below zero"), default=True)
    active = BooleanField(_l("Open"), default=True)
    online_pickup = BooleanField(_l("Online orders can be picked up here"))
    pay_at_pickup = BooleanField(_l("Customers may pay at pickup"))
    delivery_radius_m = IntegerField(_l("Delivery radius (metres, 0: no delivery)"), default=0,
                                     validators=[InputRequired(), NumberRange(0, 100_000)])
    delivery_fee = DecimalField(_l("Delivery fee (yuan)"), default=0, validators=[InputRequired(), NumberRange(0, 10_000)])
    minimum_order = DecimalField(_l("Minimum delivery order (yuan)"), default=0,
                                 validators=[InputRequired(), NumberRange(0, 100_000)])
    typed_weights = BooleanField(_l("Without a scale, the cashier may type the weight of weighed goods"),
                                 default=True)
    refund_approval_above = DecimalField(_l("Refunds above this need a manager's PIN (yuan, 0: every refund)"),
                                         default=0, places=2, validators=[Optional(), NumberRange(0, 1_000_000)])
    unpaid_hold_minutes = IntegerField(_l("Minutes an unpaid online order holds its stock"), default=15,
                                       validators=[InputRequired(), NumberRange(1, 1440)])
