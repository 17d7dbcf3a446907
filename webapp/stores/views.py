"""HQ's list of stores and the form to open or change one."""
from flask import flash, url_for
from flask_babel import gettext as _

from webapp.auth.guards import require_role
from webapp.auth.models import Role
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stores import queries, services
from webapp.stores.blueprint import bp
from webapp.stores.forms import KIND_LABELS, StoreForm
from webapp.stores.models import Store
from webapp.web import htmx_redirect, render


@bp.get("/")
@require_role(Role.HQ_ADMIN)
def index():
    return render("stores/index.html", stores=queries.all_stores(), kind_labels=KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def new():
    return _edit(None)


@bp.route("/<int:store_id>", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def edit(store_id: int):
    return _edit(db.get_or_404(Store, store_id))


def _edit(store: Store | None):
    form = StoreForm(obj=store)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in services.FIELDS}
        try:
            services.save_store(store, code=form.code.data, **fields)
        except DomainError as e:
            db.session.rollback()
            form.code.errors.append(str(e))
            return render("stores/form.html", form=form, store=store, status=422)
        db.session.commit()
        flash(_("Saved."), "success")
        return htmx_redirect(url_for("stores.index"))
    return render("stores/form.html", form=form, store=store, status=422 if form.errors else 200)
