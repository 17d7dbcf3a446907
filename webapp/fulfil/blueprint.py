"""The store's queue of online orders, under /fulfil."""
from flask import Blueprint

bp = Blueprint("fulfil", __name__, url_prefix="/fulfil")
