"""Transfers (调拨) between stores."""
from flask import Blueprint

bp = Blueprint("transfers", __name__, url_prefix="/stock/stores/<int:store_id>/transfers")
