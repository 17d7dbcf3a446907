"""The back office's catalogue pages: products, SKUs, prices, CSV in and out."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/admin/products")
