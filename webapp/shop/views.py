from flask import Blueprint

from webapp.sales import online as _online  # noqa: F401
from webapp.shop import models as _models  # noqa: F401

bp = Blueprint("shop", __name__, url_prefix="/shop")
