"""What can go wrong in purchasing and receiving, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class NotOnOrder(DomainError):
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


class NoteConfirmed(DomainError):
    message = _l("Receiving note %(number)s was already confirmed: nothing was received twice.")


class NoteEmpty(DomainError):
    message = _l("Nothing has been scanned yet.")


class OrderNotEditable(DomainError):
    message = _l("Purchase order %(number)s is %(status)s: its lines can no longer change.")


class OrderNotReceivable(DomainError):
    message = _l("Purchase order %(number)s is %(status)s: goods cannot be received against it.")


class OrderStatusChange(DomainError):
    message = _l("Purchase order %(number)s is %(status)s and cannot be %(action)s.")


class OrderEmpty(DomainError):
    message = _l("A purchase order needs at least one line.")


class NotPackMultiple(DomainError):
    message = _l("%(name)s comes in packs of %(pack)s: order a multiple of it (got %(quantity)s).")


class PackBarcodeTaken(DomainError):
    message = _l("Barcode %(code)s already belongs to a SKU or another pack.")


class SupplierNameTaken(DomainError):
    message = _l("There is already a supplier named %(name)s.")


class InvalidPackSize(DomainError):
    message = _l("The pack size must be more than zero (got %(quantity)s).")
