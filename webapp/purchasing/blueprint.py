"""Purchasing: suppliers, purchase orders, receiving, replenishment."""
from flask import Blueprint

bp = Blueprint("purchasing", __name__)
