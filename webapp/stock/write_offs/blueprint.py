"""A store's write-offs (报损)."""
from flask import Blueprint

bp = Blueprint("write_offs", __name__, url_prefix="/stock/stores/<int:store_id>/write-offs")
