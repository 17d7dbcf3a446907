"""Near-expiry lots, markdowns and HQ's expiry settings."""
from flask import Blueprint

bp = Blueprint("expiry", __name__)
