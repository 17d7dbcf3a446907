"""`flask shop sweep`: the work the shop leaves for a timer."""
import click
from flask import Flask
from flask.cli import AppGroup

from webapp.extensions import db

shop = AppGroup("shop", help="The online shop's background work.")


@shop.command("sweep")
def sweep_command():
    """Expire unpaid orders past their hold time, then send the queued notifications."""
    from webapp.sales.notify import send_pending
    from webapp.sales.online import services as online

    expired = online.expire_unpaid()
    db.session.commit()
    sent = send_pending()
    db.session.commit()
    click.echo(f"expired {expired} unpaid order(s); sent {sent} notification(s)")


def init_app(app: Flask) -> None:
    app.cli.add_command(shop)
