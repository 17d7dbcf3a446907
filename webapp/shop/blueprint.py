"""The online shop, under /shop."""
from flask import Blueprint

bp = Blueprint("shop", __name__, url_prefix="/shop")
