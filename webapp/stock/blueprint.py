"""The stock pages: overview, a store's levels, the ledger, receiving without an order."""
from flask import Blueprint

bp = Blueprint("stock", __name__)
