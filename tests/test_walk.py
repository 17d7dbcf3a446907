"""The walk: every form and htmx endpoint, as a user who may use it, with hostile values — never a 5xx.

The demo chain is the world (its stores, tills, orders, transfers, counts …), plus an open shift with a
sale on the first till. Every POST route in ``app.url_map`` is sent, as the user its guard allows, every
field it reads set to one hostile value at a time: a NUL byte, 200,000 characters, numbers too large for
any column, negative numbers, non-numbers and far-future dates; then each field alone hostile with the
others plausible (as a plain form post; the first pass as htmx). Every GET route gets the same in its
query string. The fields a route reads are found
in its view's source (``request.form.get("…")``, the forms it builds) and in the form its page shows.
Routes that end something (close, void, post, sign out …) go last, so the others find the world open.
"""
import inspect
import io
import itertools
import re
import sys
import time

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from webapp.auth.models import Role, User
from webapp.clock import business_day
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.promotions.models import Promotion
from webapp.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    ReceivingLine,
    ReceivingNote,
    SupplierItem,
)
from webapp.sales import services as sales
from webapp.sales.models import Order, OrderKind, OrderStatus
from webapp.sales.online.models import OnlineOrder, TillShortfall
from webapp.stock.counts.models import CountEntry, StockCount
from webapp.stock.expiry.models import MarkdownSuggestion
from webapp.stock.models import Lot
from webapp.stock.transfers.models import Discrepancy, Transfer, TransferLine
from webapp.stock.write_offs.models import WriteOff, WriteOffLine

HOSTILE = {
    "nul": "1\x00",
    "long": "9" * 200_000,
    "huge": "9" * 30,
    "huge_decimal": "1e400",
    "negative": "-5",
    "not_a_number": "abc",
    "far_future": "9999-12-31",
    "far_future_time": "99999-12-31T23:59",
}
QUERY_HOSTILE = {k: HOSTILE[k] for k in ("nul", "long", "not_a_number", "far_future")}
ENDINGS = ("close", "void", "post", "approve", "send", "confirm", "discard", "logout", "sign-out", "cancel",
           "delete", "remove", "hand-over", "pay", "receive", "shift")
FIELD_IN_SOURCE = re.compile(r"""(?:form|args|values)\.get(?:list)?\(\s*["']([\w-]+)["']|int_arg\(\s*["']([\w-]+)["']"""
                             r"""|form_id\(\s*["']([\w-]+)["']""")
FORM_IN_SOURCE = re.compile(r"\b(\w+Form)\(")
CALL_IN_SOURCE = re.compile(r"\b(_\w+)\(")
NAME_IN_PAGE = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([\w-]+)["'][^>]*>""")
VALUE_IN_TAG = re.compile(r"""\bvalue=["']([^"']*)["']""")


def _forms() -> dict[str, type]:
    found, todo = {}, [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


def _form_fields(cls, prefix="") -> list[tuple[str, str]]:
    """(name, kind) of a form's fields; a list of subforms gives its first entry's fields."""
    fields = []
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        kind = unbound.field_class.__name__
        if kind == "FieldList" and unbound.args and isinstance(unbound.args[0], UnboundField) \
                and unbound.args[0].field_class.__name__ == "FormField":
            fields += _form_fields(unbound.args[0].args[0], f"{prefix}{name}-0-")
        elif kind != "FormField":
            fields.append((f"{prefix}{name}", kind))
    return fields


def _fields_of(view) -> dict[str, str]:
    """What the view (and the helpers of its module it calls) reads: {name: kind}."""
    view = inspect.unwrap(view)
    module = sys.modules[view.__module__]
    sources, seen = [inspect.getsource(view)], {view.__name__}
    for called in CALL_IN_SOURCE.findall(sources[0]):
        helper = getattr(module, called, None)
        if inspect.isfunction(helper) and called not in seen:
            seen.add(called)
            sources.append(inspect.getsource(helper))
    source = "\n".join(sources)
    fields = {next(n for n in match if n): "text" for match in FIELD_IN_SOURCE.findall(source)}
    forms = _forms()
    for form_name in FORM_IN_SOURCE.findall(source):
        if form_name in forms:
            fields.update(dict(_form_fields(forms[form_name])))
    return fields


class World:
    """A store selling online with a till (an open shift, a sale on it and one completed), a second store,
    goods in stock (one by lots), a supplier, and one of each document: a transfer, a count, a write-off,
    a purchase order, a receiving note, an online order — all made through the services."""

    def __init__(self):
        from datetime import timedelta

        from webapp.auth.services import save_user
        from webapp.catalog.services import VariantInput, save_product, supplier_by_name
        from webapp.purchasing import orders as purchase_orders
        from webapp.purchasing import receiving, suppliers
        from webapp.sales.online import services as online
        from webapp.shop import checkout  # noqa: F401  (the shop's models)
        from webapp.stock import services as stock
        from webapp.stock.counts import services as counts
        from webapp.stock.counts.models import Scope
        from webapp.stock.expiry import services as expiry
        from webapp.stock.transfers import services as transfers
        from webapp.stock.write_offs import services as write_offs
        from webapp.stores.services import save_store

        self.hz01 = save_store(None, code="HZ01", name="文三路店", online_pickup=True, pay_at_pickup=True,
                               latitude=30.27, longitude=120.13, district="西湖区")
        other = save_store(None, code="HZ02", name="武林店")
        for store in (self.hz01, other):
            stock.ensure_locations(store)
        self.admin = save_user(None, username="admin", display_name="", role=Role.HQ_ADMIN, stores=[],
                               password="walk-pass-1")
        self.manager = save_user(None, username="manager", display_name="", role=Role.STORE_MANAGER,
                                 stores=[self.hz01], password="walk-pass-1")
        self.cashier = save_user(None, username="cashier", display_name="", role=Role.CASHIER, stores=[self.hz01],
                                 password="walk-pass-1")
        self.customer = save_user(None, username="c13857100006", display_name="", role=Role.CUSTOMER, stores=[],
                                  password="walk-pass-1", phone="13857100006")
        pos.set_pin(self.manager, "1234")
        cola = save_product(None, name="可口可乐", variants=[VariantInput(code="KKL", list_price="3.50",
                                                                        member_price="3.20",
                                                                        barcodes=["6921168509256"])]).skus[0]
        milk = save_product(None, name="鲜牛奶", tracking="lot",
                            variants=[VariantInput(code="MILK", list_price="6.00")]).skus[0]
        stock.receive(self.hz01, cola, 100, "2.00", user=None, document=("receipt", "W1"))
        lot_move = stock.receive(self.hz01, milk, 10, "4.00", user=None, document=("receipt", "W1"), lot_code="B1",
                                 expiry=business_day() + timedelta(days=1))
        supplier = supplier_by_name("太古可口可乐")
        suppliers.save_item(supplier, cola, cost_price="2.00")
        self.register = pos.save_register(None, store=self.hz01, name="1号收银台")
        self.shift = pos.open_shift(self.register, self.cashier, "200.00")
        done = sales.open_sale(self.hz01, self.register, self.shift, self.cashier)
        sales.add_item(done, cola, 2)
        sales.complete_sale(done, [sales.Tender("cash", "7.00")], user=self.cashier, client_uuid="walk-1")
        self.sale = sales.open_sale(self.hz01, self.register, self.shift, self.cashier)
        sales.add_item(self.sale, cola, 1)
        transfer = transfers.create(self.hz01, other, user=self.manager)
        transfers.add_line(transfer, cola, 1)
        counts.record(counts.start_count(self.hz01, user=self.manager, scope=Scope.STORE), "6921168509256",
                      user=self.manager)
        write_offs.add_line(write_offs.start(self.hz01, user=self.manager), "6921168509256", 1)
        purchase_orders.set_line(purchase_orders.create_order(self.hz01, supplier, user=self.manager), cola, 24)
        receiving.scan(receiving.start(self.hz01, user=self.manager, supplier=supplier), "6921168509256")
        expiry.suggest_markdown(self.hz01, lot_move.lot, user=self.manager)
        online.place_order(self.hz01, self.customer, [(cola, 1)], phone="13857100006", checkout_key="walk-order",
                           pay_at_pickup=True)
        db.session.commit()

    def first(self, model, *where):
        query = select(model).where(*where).order_by(model.id)
        if hasattr(model, "store_id"):
            query = query.where(model.store_id == self.hz01.id)
        return db.session.scalar(query.limit(1))

    def ids(self, rule: str) -> dict[str, object]:
        """Real ids for the route's URL: things of the first store, as its manager sees them."""
        def id_of(thing):
            return thing.id if thing is not None else 1

        online = self.first(OnlineOrder, OnlineOrder.order.has(Order.store_id == self.hz01.id))
        completed = self.first(Order, Order.kind == OrderKind.SALE.value,
                               Order.status == OrderStatus.COMPLETED.value)
        values = {
            "store_id": self.hz01.id, "register_id": self.register.id, "shift_id": self.shift.id,
            "product_id": self.sale.lines[0].sku.product_id, "sku_id": self.sale.lines[0].sku_id,
            "user_id": self.cashier.id, "online_id": id_of(online), "token": online.access_token if online else "x",
            "number": completed.number if completed else "x", "payment_id": 1,
            "supplier_id": id_of(self.first(SupplierItem)) and (self.first(SupplierItem).supplier_id
                                                                if self.first(SupplierItem) else 1),
            "item_id": id_of(self.first(SupplierItem)), "lot_id": id_of(self.first(Lot)),
            "suggestion_id": id_of(self.first(MarkdownSuggestion)), "count_id": id_of(self.first(StockCount)),
            "entry_id": id_of(self.first(CountEntry)), "write_off_id": id_of(self.first(WriteOff)),
            "note_id": id_of(self.first(ReceivingNote)), "action": "start", "decision": "accept",
            "filename": "x.png", "surface": "shop", "name": "oversell", "kind": "percent",
            "promotion_id": id_of(db.session.scalar(select(Promotion).order_by(Promotion.id).limit(1))),
            "simulation_id": 1, "shortfall_id": id_of(self.first(TillShortfall)), "method": "wechat", "photo_id": 1,
            "customer_id": self.customer.id, "segment_id": 1, "code": "x", "rule_id": 1,
        }
        transfer = db.session.scalar(select(Transfer).order_by(Transfer.id).limit(1))
        values["transfer_id"] = id_of(transfer)
        values["discrepancy_id"] = id_of(db.session.scalar(select(Discrepancy).order_by(Discrepancy.id).limit(1)))
        if rule.startswith("/pos/orders"):
            values["order_id"], values["line_id"] = self.sale.id, self.sale.lines[0].id
        elif rule.startswith("/fulfil"):
            values["order_id"] = id_of(online)
            values["line_id"] = online.order.lines[0].id if online else 1
        elif "/purchase-orders" in rule:
            order = self.first(PurchaseOrder)
            values["order_id"] = id_of(order)
            values["line_id"] = id_of(db.session.scalar(select(PurchaseOrderLine).order_by(PurchaseOrderLine.id)))
        elif "/receiving" in rule:
            values["line_id"] = id_of(db.session.scalar(select(ReceivingLine).order_by(ReceivingLine.id)))
        elif "/transfers" in rule:
            values["line_id"] = id_of(db.session.scalar(select(TransferLine).order_by(TransferLine.id)))
        elif "/write-offs" in rule:
            values["line_id"] = id_of(db.session.scalar(select(WriteOffLine).order_by(WriteOffLine.id)))
        else:
            values.setdefault("line_id", 1)
        values.setdefault("order_id", self.sale.id)
        return values

    def users_for(self, view) -> list[User | None]:
        """Who may use the route: its guard's first store role (as the first store's people), else HQ;
        an unguarded route both anonymously and as the customer."""
        allowed = getattr(view, "allowed_roles", None)
        if not allowed:
            return [None, self.customer]
        if Role.STORE_MANAGER in allowed:
            return [self.manager]
        if Role.CASHIER in allowed:
            return [self.cashier]
        return [self.admin]


def _send(client, method, url, user, data, failures, label, htmx=True):
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"], session["_fresh"] = str(user.id), True
    files = {k: v for k, v in data.items() if isinstance(v, tuple)}
    try:
        if method == "GET":
            response = client.get(url, query_string=data, headers={"Accept-Language": "zh-CN"})
        else:
            headers = {"Accept-Language": "zh-CN", **({"HX-Request": "true"} if htmx else {})}
            response = client.post(url, data=data, headers=headers,
                                   content_type="multipart/form-data" if files else None)
    except Exception as e:  # TESTING propagates what would have been a 500
        db.session.rollback()
        failures.append(f"{method} {url} as {user.username if user else 'anonymous'} [{label}]: "
                        f"{type(e).__name__}: {str(e)[:300]}")
        return None
    if response.status_code >= 500:
        failures.append(f"{method} {url} [{label}]: {response.status_code}")
    return response


def _plausible(client, url, user, fields) -> dict[str, str]:
    """The form's own values where its page shows them (GET of the same URL), else "1"."""
    defaults = {name: "1" for name in fields}
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"], session["_fresh"] = str(user.id), True
    try:
        page = client.get(url)
    except Exception:  # the walk over GET routes reports it
        db.session.rollback()
        return defaults
    if page.status_code == 200 and page.mimetype == "text/html":
        for tag in re.finditer(r"<(?:input|select|textarea)\b[^>]*>", page.get_data(as_text=True)):
            name = NAME_IN_PAGE.match(tag.group(0))
            if name and name.group(1) != "csrf_token":
                value = VALUE_IN_TAG.search(tag.group(0))
                fields.setdefault(name.group(1), "text")
                defaults[name.group(1)] = value.group(1) if value else defaults.get(name.group(1), "1")
    return defaults


def _hostile_form(fields: dict[str, str], value: str) -> dict:
    return {name: (io.BytesIO(f"a,b\n{value},{value}\n".encode("utf-8", "surrogatepass")), "hostile.csv")
            if kind == "FileField" else value for name, kind in fields.items()}


def test_every_form_and_htmx_endpoint_answers_hostile_values_without_a_server_error(app, client):
    started = time.monotonic()
    world = World()
    print(f"\nthe world: {time.monotonic() - started:.1f} s")
    spent = {}
    failures: list[str] = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    rules.sort(key=lambda r: (any(word in r.rule for word in ENDINGS), r.rule))
    requests = 0
    for rule in rules:
        route_started = time.monotonic()
        view = app.view_functions[rule.endpoint]
        ids = world.ids(rule.rule)
        url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
        fields = _fields_of(view)
        for n, user in enumerate(world.users_for(view)):
            # An unguarded page is read anonymously; its forms are sent anonymously and as the customer.
            methods = [m for m in ("GET", "POST") if m in rule.methods and (m == "POST" or n == 0)]
            plausible = _plausible(client, url, user, fields) if "POST" in methods else {}
            for method in methods:
                names = fields if method == "POST" else {**{n: "text" for n in fields}, "q": "text", "page": "text"}
                for label, value in (HOSTILE if method == "POST" else QUERY_HOSTILE).items():  # all fields at once
                    _send(client, method, url, user, _hostile_form(names, value), failures, label)
                    requests += 1
                if method == "POST":  # each field alone hostile, the others as the page has them
                    values = itertools.cycle(HOSTILE.items())
                    for name, kind in fields.items():
                        label, value = next(values)
                        form = {**plausible, **_hostile_form({name: kind}, value)}
                        _send(client, method, url, user, form, failures, f"{name}={label}", htmx=False)
                        requests += 1
        spent[rule.rule] = time.monotonic() - route_started
    print("slowest:", [(r, round(t, 1)) for r, t in sorted(spent.items(), key=lambda kv: -kv[1])[:10]])
    elapsed = time.monotonic() - started
    print(f"\nthe walk: {requests} hostile requests over {len(rules)} routes in {elapsed:.1f} s")
    assert failures == [], "\n".join(failures[:40])
