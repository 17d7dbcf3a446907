"""`flask load-demo`: the demo chain."""
import click
from flask import Flask


def init_app(app: Flask) -> None:
    @app.cli.command("load-demo")
    def load_demo_command():
        """Load the demo chain (idempotent) and print the demo logins."""
        from webapp.demo import MANAGER_PIN, load_demo

        logins = load_demo()
        click.echo("Demo logins (username / password / role):")
        for username, password, role in logins:
            click.echo(f"  {username:<14} {password:<16} {role}")
        click.echo(f"Managers approve discounts at the till with the PIN {MANAGER_PIN}.")
