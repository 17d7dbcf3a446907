"""The manager's dashboard, under /manage (the reports live beside it at /manage/reports)."""
from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")
