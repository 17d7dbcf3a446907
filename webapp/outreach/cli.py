"""`flask outreach …`: the member-growth work a timer runs (nightly: ``flask outreach nightly``)."""
import click
from flask import Flask
from flask.cli import AppGroup

from webapp.extensions import db

outreach = AppGroup("outreach", help="Member growth: tags, journeys, referral rewards, messages.")


@outreach.command("tags")
@click.option("--steps", is_flag=True, help="Also print each step's rows and seconds.")
def tags_command(steps=False):
    """Recompute every member's computed tags and the often-bought-together counts."""
    from webapp.outreach import tags

    counts = tags.recompute()
    db.session.commit()
    click.echo(", ".join(f"{name} {n}" for name, n in counts.items()))
    if steps:
        for name, n in counts.items():
            wall, cpu = tags.timings[name]
            click.echo(f"  {name:<10} {n:>10} rows {wall:7.2f} s ({cpu:.2f} s CPU)")


@outreach.command("journeys")
def journeys_command():
    """Birthday coupons, win-back coupons and "your favourite is back" messages due now."""
    from webapp.outreach import messages

    found = {"birthday": messages.birthdays(), "win_back": messages.win_back(),
             "back_in_stock": messages.back_in_stock()}
    db.session.commit()
    click.echo(", ".join(f"{name} {n}" for name, n in found.items()))


@outreach.command("referrals")
def referrals_command():
    """Reward the referrals whose friend's first order is past the return window."""
    from webapp.outreach import referrals

    found = referrals.settle()
    db.session.commit()
    click.echo(", ".join(f"{name} {n}" for name, n in found.items()))


@outreach.command("send")
def send_command():
    """Send the queued member messages through the configured sender."""
    from webapp.outreach import messages

    sent = messages.send_pending()
    db.session.commit()
    click.echo(f"sent {sent} message(s)")


@outreach.command("nightly")
@click.pass_context
def nightly_command(context):
    """Tags, then journeys, referral rewards, and sending: the nightly run."""
    for command in (tags_command, journeys_command, referrals_command, send_command):
        context.invoke(command)


def init_app(app: Flask) -> None:
    app.cli.add_command(outreach)
