"""A store's stock counts (盘点)."""
from flask import Blueprint

bp = Blueprint("counts", __name__, url_prefix="/stock/stores/<int:store_id>/counts")
