"""`flask load-demo`: the demo chain."""
import click
from flask import Flask


def init_app(app: Flask) -> None:
    @app.cli.command("load-demo")
    def load_demo_command():
        """Load the demo chain (idempotent) and print the demo logins."""
        from webapp.demo import MANAGER_PIN, load_demo
        from webapp.demo.codes import codes_to_try
        from webapp.demo.users import CUSTOMER_PASSWORD, CUSTOMER_PHONE

        logins = load_demo()
        click.echo("Demo logins (username / password / role):")
        for username, password, role in logins:
            click.echo(f"  {username:<14} {password:<16} {role}")
        click.echo(f"Managers approve discounts and refunds at the till with the PIN {MANAGER_PIN}.")
        click.echo(f"The customer signs in to the shop (/shop/account/sign-in) with the mobile number "
                   f"{CUSTOMER_PHONE} and the password {CUSTOMER_PASSWORD}.")
        click.echo("Codes to try at the till of HZ01 (文三路店, sign in as cashier) without a scanner:")
        for what, code in codes_to_try():
            click.echo(f"  {code:<16} {what}")
