"""The online shop's pages, on one blueprint (``webapp.shop.web.bp``), and its `flask shop` commands."""
import click

from webapp.extensions import db
from webapp.shop import account_views, browse_views, cart_views, order_views  # noqa: F401  (the routes)
from webapp.shop.web import bp


@bp.cli.command("sweep")
def sweep_command():
    """Expire unpaid orders past their hold time, then send the queued notifications."""
    from webapp.sales import online
    from webapp.sales.notify import send_pending

    expired = online.expire_unpaid()
    db.session.commit()
    sent = send_pending()
    db.session.commit()
    click.echo(f"expired {expired} unpaid order(s); sent {sent} notification(s)")
