"""HQ's store pages."""
from flask import Blueprint

bp = Blueprint("stores", __name__, url_prefix="/admin/stores")
