"""The two guards every staff view wears: the right role, and the right store."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from webapp.auth.models import Role


def require_role(*roles: Role):
    """Logged in with one of these roles; HQ admins may do what any staff role may."""
    allowed = set(roles)

    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in allowed and not (current_user.is_hq and Role.CUSTOMER not in allowed):
                abort(403)
            if "store_id" in kwargs and not current_user.can_access_store(kwargs["store_id"]):
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorator


STAFF = (Role.STORE_MANAGER, Role.CASHIER, Role.FRANCHISEE)
