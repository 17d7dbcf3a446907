from flask import Blueprint

bp = Blueprint("supply", __name__, url_prefix="/supply")
