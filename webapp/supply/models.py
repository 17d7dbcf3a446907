"""Store orders to head office, the chain's supply terms, and the franchise account ledger."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.stores.models import Store

ZERO = Decimal("0")


class AllocationRule(StrEnum):
    PRO_RATA = "pro_rata"  # each store gets its share of what was asked, rounded down to packs
    DAYS_OF_COVER = "days_of_cover"  # the store that runs out soonest is served first, in full


class SupplySettings(db.Model):
    """The chain's one row of supply settings; its row is also the lock every allocation takes."""

    __tablename__ = "supply_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_rule: Mapped[str] = mapped_column(String(20), default=AllocationRule.PRO_RATA)
    lead_time_days: Mapped[int] = mapped_column(default=2)  # order to delivery from the HQ warehouse
    low_below: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("20"))  # "low" at HQ under this


class SupplyItem(db.Model):
    """HQ's terms for supplying one SKU to stores; a SKU without a row is supplied in ones."""

    __tablename__ = "supply_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), unique=True)
    pack_size: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))
    min_qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    orderable: Mapped[bool] = mapped_column(default=True)  # False: discontinued for stores
    new_until: Mapped[date | None]  # shown as a new item until this day

    sku: Mapped[SKU] = relationship()


class PriceGroup(db.Model):
    """A group of stores paying the same delivery prices (配送价)."""

    __tablename__ = "supply_price_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class DeliveryPrice(db.Model):
    """What a store of a group, or one store, pays HQ for a SKU. A store's own price wins over its group's."""

    __tablename__ = "supply_delivery_prices"
    __table_args__ = (
        UniqueConstraint("group_id", "sku_id"),
        UniqueConstraint("store_id", "sku_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("supply_price_groups.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Money)


class FranchiseTerms(db.Model):
    """A franchise store's credit limit, payment terms and price group."""

    __tablename__ = "supply_franchise_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), unique=True)
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    payment_days: Mapped[int] = mapped_column(default=30)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("supply_price_groups.id"))

    store: Mapped[Store] = relationship()
    group: Mapped[PriceGroup | None] = relationship()


class RebateTier(db.Model):
    """Purchases in a period of at least ``threshold`` earn ``percent`` back as a credit note."""

    __tablename__ = "supply_rebate_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[Decimal] = mapped_column(Money, unique=True)
    percent: Mapped[Decimal] = mapped_column(Money)  # 2.50 means 2.5 %


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    HELD = "held"  # over the store's credit: waits for a payment or an HQ admin's override
    APPROVED = "approved"
    SHIPPED = "shipped"
    RECEIVED = "received"
    REJECTED = "rejected"


# Orders HQ still has to decide on: the review queue.
PENDING = (OrderStatus.SUBMITTED, OrderStatus.HELD)
# Orders whose goods are promised but not yet on their way: "already ordered" for suggestions.
OPEN = (OrderStatus.SUBMITTED, OrderStatus.HELD, OrderStatus.APPROVED)


class StoreOrder(db.Model):
    __tablename__ = "store_orders"
    __table_args__ = (Index("ix_store_orders_store_status", "store_id", "status"),
                      Index("ix_store_orders_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.DRAFT)
    note: Mapped[str] = mapped_column(String(200), default="")
    back_order_of_id: Mapped[int | None] = mapped_column(ForeignKey("store_orders.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(200), default="")  # a rejection's or an override's reason
    # Held for credit: the figures of the check, as they were.
    hold_available: Mapped[Decimal | None] = mapped_column(Money)
    hold_amount: Mapped[Decimal | None] = mapped_column(Money)
    overridden: Mapped[bool] = mapped_column(default=False)
    shipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    shipped_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    back_order_of: Mapped["StoreOrder | None"] = relationship(remote_side=[id])
    lines: Mapped[list["StoreOrderLine"]] = relationship(
        back_populates="order", order_by="StoreOrderLine.id", cascade="all, delete-orphan")
    claims: Mapped[list["Claim"]] = relationship(back_populates="order", order_by="Claim.id")

    @property
    def document(self) -> tuple[str, str]:
        return ("store_order", self.number)

    @property
    def warehouse_lines(self) -> list["StoreOrderLine"]:
        """The lines HQ ships from its warehouse (not those a supplier delivers)."""
        return [line for line in self.lines if line.purchase_order_id is None]

    @property
    def asked_total(self) -> Decimal:
        return sum((line.asked_amount for line in self.lines), Decimal("0.00"))

    @property
    def approved_total(self) -> Decimal:
        return sum((line.approved_amount for line in self.warehouse_lines), Decimal("0.00"))

    @property
    def partly(self) -> bool:
        return any(line.approved is not None and line.approved < line.asked for line in self.lines)


class StoreOrderLine(db.Model):
    __tablename__ = "store_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("store_orders.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    pack_size: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))
    unit_price: Mapped[Decimal] = mapped_column(Money)  # the delivery price when asked
    asked: Mapped[Decimal] = mapped_column(Quantity)
    suggested: Mapped[Decimal | None] = mapped_column(Quantity)  # what the suggestion said, if it came from one
    approved: Mapped[Decimal | None] = mapped_column(Quantity)
    # Why approved is what it is: "full", "pro_rata", "days_of_cover", "out", "discontinued", "direct",
    # with HQ's available stock and every pending store's asks for the SKU at that moment.
    allocation: Mapped[str] = mapped_column(String(20), default="")
    pool: Mapped[Decimal | None] = mapped_column(Quantity)
    demand: Mapped[Decimal | None] = mapped_column(Quantity)
    shipped: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    received: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)  # counted in, good
    damaged: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)  # counted in, broken
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))  # supplier direct

    order: Mapped[StoreOrder] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()
    purchase_order = relationship("PurchaseOrder")

    @property
    def asked_amount(self) -> Decimal:
        return (self.asked * self.unit_price).quantize(Decimal("0.01"))

    @property
    def approved_amount(self) -> Decimal:
        return ((self.approved or ZERO) * self.unit_price).quantize(Decimal("0.01"))

    @property
    def back_ordered(self) -> Decimal:
        return self.asked - self.approved if self.approved is not None and self.purchase_order_id is None else ZERO


class ClaimKind(StrEnum):
    SHORT = "short"
    DAMAGED = "damaged"
    OVER = "over"


class Claim(db.Model):
    """A receiving discrepancy, made the moment the receipt is confirmed, with its credit note or invoice."""

    __tablename__ = "supply_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("store_orders.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("store_order_lines.id"))
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    amount: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[StoreOrder] = relationship(back_populates="claims")
    line: Mapped[StoreOrderLine] = relationship()


class EntryKind(StrEnum):
    INVOICE = "invoice"  # + the store owes HQ
    PAYMENT = "payment"  # − the store paid
    CREDIT_NOTE = "credit_note"  # − a discrepancy or return HQ credits
    REBATE = "rebate"  # − a period's rebate, settled as a credit note


class AccountEntry(db.Model):
    """One row of a franchise store's account with HQ. Never changed: balance = sum of amounts."""

    __tablename__ = "supply_account_entries"
    __table_args__ = (
        UniqueConstraint("store_id", "kind", "document"),  # one invoice per order, one rebate per period ...
        Index("ix_supply_account_entries_store_created", "store_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)  # signed: + owed to HQ, − paid or credited
    document: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()


@event.listens_for(AccountEntry, "before_update")
@event.listens_for(AccountEntry, "before_delete")
def _account_is_append_only(_mapper, _connection, entry):
    raise PermissionError("account entries are append-only: post a credit note or an invoice instead")
