"""Reports, under /manage/reports."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/manage/reports")
