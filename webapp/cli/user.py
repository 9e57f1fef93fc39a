"""``joblink user create``: accounts made from the command line (e.g. the first administrator)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import CommandFailed, session

ROLES = ["jobseeker", "enterprise", "commissioner", "reviewer", "admin"]


@click.group("user")
def user_group() -> None:
    """Accounts."""


@user_group.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--region", "region_code", default=None, help="jurisdiction region code (commissioners)")
@click.option("--name", "display_name", default=None)
@click.option("--password", default=None, help="prompted for when omitted")
@with_appcontext
def user_create(username, role, region_code, display_name, password) -> None:
    """Create an account (commissioner, reviewer and admin accounts are created here or by an admin)."""
    from core.accounts.services import create_user
    from core.errors import DomainError

    if password is None:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(session(), username=username, password=password, role=role,
                           display_name=display_name, region_code=region_code)
        session().commit()
    except DomainError as exc:
        session().rollback()
        # the field names the option to correct (e.g. region_code for a commissioner without one)
        raise CommandFailed(f"{exc.field or ''}: {exc.message}") from None
    click.echo(f"已创建用户 {user.username}（{role}），编号 {user.id}")
