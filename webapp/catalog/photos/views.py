"""The back office's photo page of a product (upload per product and per colour, remove), and the
picture files themselves: public, named by their content, cached for a year."""
import re

from flask import abort, current_app, flash, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _

from webapp.auth.guards import require_role
from webapp.auth.models import Role
from webapp.catalog.models import Product
from webapp.catalog.photos import queries, services
from webapp.catalog.photos.blueprint import bp
from webapp.catalog.photos.models import ProductPhoto
from webapp.extensions import db
from webapp.web import render

FILE_NAME = re.compile(rf"^[0-9a-f]{{32}}-(?:{'|'.join(services.SIZES)})\.(?:{'|'.join(services.FORMATS)})$")
YEAR = 365 * 24 * 3600
MIMETYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


def folder() -> str:
    return services.media_folder(current_app)


@bp.get("/media/products/<name>")
def picture(name: str):
    if not FILE_NAME.match(name):
        abort(404)
    response = send_from_directory(folder(), name, mimetype=MIMETYPES[name.rsplit(".", 1)[1]], max_age=YEAR,
                                   conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@bp.route("/admin/products/<int:product_id>/photos", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def product_photos(product_id: int):
    product = db.get_or_404(Product, product_id)
    if request.method == "POST":
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            flash(_("Choose a photo to upload."), "error")
            return _page(product, 422)
        limit = current_app.config.get("PRODUCT_PHOTO_MAX_BYTES", services.LIMIT)
        services.save_photo(product, upload.read(limit + 1), folder=folder(), limit=limit,
                            colour=request.form.get("colour", ""))  # refused: back here, with why
        db.session.commit()
        flash(_("Photo saved."), "success")
        return redirect(url_for("photos.product_photos", product_id=product.id), 303)
    return _page(product)


@bp.post("/admin/products/<int:product_id>/photos/<int:photo_id>/remove")
@require_role(Role.HQ_ADMIN)
def remove(product_id: int, photo_id: int):
    photo = db.session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product_id:
        abort(404)
    services.remove_photo(photo)
    db.session.commit()
    flash(_("Photo removed."), "success")
    return redirect(url_for("photos.product_photos", product_id=product_id), 303)


def _page(product: Product, status: int = 200):
    return render("photos/product_photos.html", status=status, product=product,
                  colours=["", *services.colours_of(product)], photos=queries.photos_of(product),
                  limit_mb=current_app.config.get("PRODUCT_PHOTO_MAX_BYTES", services.LIMIT) // (1024 * 1024))
