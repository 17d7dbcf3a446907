"""Member growth: the managers' pages under /manage/members, the customers' under /shop/invite and
/shop/message-settings."""
from flask import Blueprint

bp = Blueprint("outreach", __name__)
