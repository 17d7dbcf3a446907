"""Product photos: the back office's upload page and the public, long-cached picture files."""
from flask import Blueprint

bp = Blueprint("photos", __name__)
