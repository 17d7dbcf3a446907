"""Promotions and coupons for managers, under /manage/promotions."""
from flask import Blueprint

bp = Blueprint("promotions", __name__, url_prefix="/manage/promotions")
