"""Every model, imported once, in the order of the rooms' layers (see docs/architecture.md).

Importing this module registers every table on ``db.metadata`` and resolves every
relationship, whatever a caller imported first: create_app, the migrations and
the tests import it; a room imports only the models it uses.
"""
from webapp.auth import models as auth  # noqa: F401
from webapp.catalog import models as catalog  # noqa: F401
from webapp.catalog.photos import models as photos  # noqa: F401
from webapp.fulfil import models as fulfil  # noqa: F401
from webapp.members import models as members  # noqa: F401
from webapp.outreach import models as outreach  # noqa: F401
from webapp.pos import models as pos  # noqa: F401
from webapp.promotions import models as promotions  # noqa: F401
from webapp.purchasing import models as purchasing  # noqa: F401
from webapp.reports import models as reports  # noqa: F401
from webapp.sales import models as sales  # noqa: F401
from webapp.sales.online import models as online  # noqa: F401
from webapp.shop import models as shop  # noqa: F401
from webapp.stock import models as stock  # noqa: F401
from webapp.stock.counts import models as counts  # noqa: F401
from webapp.stock.expiry import models as expiry  # noqa: F401
from webapp.stock.transfers import models as transfers  # noqa: F401
from webapp.stock.write_offs import models as write_offs  # noqa: F401
from webapp.stores import models as stores  # noqa: F401
from webapp.supply import models as supply  # noqa: F401
