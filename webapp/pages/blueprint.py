"""The home page and the error pages."""
from flask import Blueprint

bp = Blueprint("pages", __name__)
