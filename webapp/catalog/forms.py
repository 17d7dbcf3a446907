from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.catalog.models import Tracking, Unit

UNIT_LABELS = {
    Unit.PIECE: _l("piece"), Unit.KG: _l("kg"), Unit.BOX: _l("box"),
    Unit.BOTTLE: _l("bottle"), Unit.PACK: _l("pack"),
}
TRACKING_LABELS = {
    Tracking.NONE: _l("No tracking"), Tracking.LOT: _l("Lots with expiry"), Tracking.SERIAL: _l("Serial numbers"),
}


class VariantForm(Form):
    sku_id = HiddenField()
    code = StringField(_l("SKU code"), validators=[DataRequired(), Length(max=40)])
    attributes = StringField(_l("Variant (e.g. 尺码=M; 颜色=红)"), validators=[Optional(), Length(max=200)])
    list_price = DecimalField(_l("List price"), places=2, validators=[InputRequired(), NumberRange(min=Decimal(0))])
    member_price = DecimalField(_l("Member price"), places=2, validators=[Optional(), NumberRange(min=Decimal(0))])
    barcodes = StringField(_l("Barcodes (separated by spaces)"), validators=[Optional(), Length(max=500)])


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[DataRequired(), Length(max=100)])
    category_id = SelectField(_l("Category"), coerce=int)
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=50)],
                        render_kw={"list": "brand-names", "autocomplete": "off"})
    unit = SelectField(_l("Unit"), choices=[(u.value, label) for u, label in UNIT_LABELS.items()])
    weighed = BooleanField(_l("Sold by weight"))
    tracking = SelectField(_l("Tracking"), choices=[(t.value, label) for t, label in TRACKING_LABELS.items()])
    plu = StringField(_l("Scale PLU code"), validators=[Optional(), Length(max=5)])
    style_code = StringField(_l("Style number (款号)"), validators=[Optional(), Length(max=40)])
    supplier_id = SelectField(_l("Preferred supplier"), coerce=int)
    active = BooleanField(_l("On sale"), default=True)
    variants = FieldList(FormField(VariantForm), min_entries=1)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])
