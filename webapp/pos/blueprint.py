"""The till, under /pos: registers, shifts, sales, returns, pickups."""
from flask import Blueprint

bp = Blueprint("pos", __name__, url_prefix="/pos")
