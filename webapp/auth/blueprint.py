"""Signing in and out; HQ's user pages."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
