"""A store's stock alerts (预警)."""
from flask import Blueprint

bp = Blueprint("alerts", __name__, url_prefix="/stock/stores/<int:store_id>/alerts")
