"""What can go wrong in purchasing and receiving, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import ShopError


class UnknownBarcode(ShopError):
    message = _l("There is no SKU or barcode %(code)s.")


class NotOnOrder(ShopError):
    """A scanned SKU the purchase order does not have: the user decides whether to add it."""

    message = _l("%(name)s is not on this purchase order.")

    def __init__(self, sku, supplier_name=None, **facts):
        super().__init__(name=sku.display_name, **facts)
        self.sku = sku
        self.supplier_name = supplier_name


class OtherSuppliersItem(NotOnOrder):
    message = _l("%(name)s is supplied by %(supplier)s, not by this note's supplier.")

    def __init__(self, sku, supplier_name):
        super().__init__(sku, supplier_name, supplier=supplier_name)


class NoteConfirmed(ShopError):
    message = _l("Receiving note %(number)s was already confirmed: nothing was received twice.")


class NoteEmpty(ShopError):
    message = _l("Nothing has been scanned yet.")


class OrderNotEditable(ShopError):
    message = _l("Purchase order %(number)s is %(status)s: its lines can no longer change.")


class OrderNotReceivable(ShopError):
    message = _l("Purchase order %(number)s is %(status)s: goods cannot be received against it.")


class OrderStatusChange(ShopError):
    message = _l("Purchase order %(number)s is %(status)s and cannot be %(action)s.")


class OrderEmpty(ShopError):
    message = _l("A purchase order needs at least one line.")


class NotPackMultiple(ShopError):
    message = _l("%(name)s comes in packs of %(pack)s: order a multiple of it (got %(quantity)s).")


class PackBarcodeTaken(ShopError):
    message = _l("Barcode %(code)s already belongs to a SKU or another pack.")


class SupplierNameTaken(ShopError):
    message = _l("There is already a supplier named %(name)s.")


class InvalidPackSize(ShopError):
    message = _l("The pack size must be more than zero (got %(quantity)s).")
