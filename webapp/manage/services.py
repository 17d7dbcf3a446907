"""The dashboard's one write: an alert's "replenish" tap makes a draft purchase order through purchasing."""
from webapp.catalog.models import SKU
from webapp.manage.errors import NothingToReorder
from webapp.purchasing import orders
from webapp.purchasing.models import PurchaseOrder
from webapp.purchasing.suggestions import suggestions_for
from webapp.stores.models import Store


def replenish(store: Store, sku: SKU, *, user, key: str | None = None) -> PurchaseOrder:
    """A draft purchase order from the store's replenishment suggestions for the supplier the SKU is
    ordered from: the SKU and whatever else that supplier should bring now (one truck, one order).

    Once per ``key``: a second tap returns the order the first one made.
    """
    done = orders.order_with_key(key)
    if done is not None:
        return done
    for group in suggestions_for(store):
        if any(line.sku.id == sku.id for line in group.lines):
            return orders.order_from_suggestions(store, group, user=user, key=key)
    raise NothingToReorder(name=sku.display_name)
