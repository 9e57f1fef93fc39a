"""``joblink channel create|list|key``: the "1+1+N" channels and their partner API keys."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import EXIT_BAD_INPUT, echo_json, reported_errors, session

KINDS_HELP = ("provincial_site, gig_platform, public_agency, hr_market, hr_firm, training_institution, "
              "enterprise_direct, major_project")


@click.group("channel")
def channel_group() -> None:
    """Channels ("1+1+N") and their partner API keys."""


@channel_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", required=True, help=KINDS_HELP)
@click.option("--region", "region_code", default=None)
@click.option("--trust", "trust_level", default="standard", show_default=True)
@click.option("--licence", "licence_number", default=None, help="HR service licence number (HR firms)")
@click.option("--feed-url", default=None, help="feed URL for provincial_site / gig_platform")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def channel_create(code, name, kind, region_code, trust_level, licence_number, feed_url, as_json) -> None:
    """Create a channel (a feed channel remembers its --feed-url)."""
    from core.channels.services import create_channel
    from core.ingest.services import get_cursor

    with reported_errors(as_json, exit_code=EXIT_BAD_INPUT):
        ch = create_channel(session(), code, name, kind, region_code=region_code, trust_level=trust_level,
                            licence_number=licence_number)
        if feed_url:
            get_cursor(session(), ch).feed_url = feed_url
        session().commit()
    if as_json:
        echo_json({"id": ch.id, "code": ch.code, "kind": str(ch.kind)})
    else:
        click.echo(f"已创建渠道 {ch.code}（{ch.name}）")


@channel_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def channel_list(as_json) -> None:
    """Every channel: code, kind, trust level, name."""
    from core.channels.services import list_channels

    rows = [{"code": c.code, "name": c.name, "kind": str(c.kind), "trust_level": str(c.trust_level),
             "region_code": c.region_code, "licence_number": c.licence_number, "active": c.active,
             "is_demo": c.is_demo, "api_key_prefix": c.api_key_prefix} for c in list_channels(session())]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['code']:24} {r['kind']:20} {r['trust_level']:9} {r['name']}")


@channel_group.command("key")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def channel_key(code, as_json) -> None:
    """Issue a new partner API key for the channel (replaces the old one; shown only once)."""
    from core.channels.services import get_channel, issue_api_key

    with reported_errors(as_json, exit_code=EXIT_BAD_INPUT):
        ch = get_channel(session(), code)
    key = issue_api_key(session(), ch)
    session().commit()
    if as_json:
        echo_json({"channel": ch.code, "api_key": key})
    else:
        click.echo(f"渠道 {ch.code} 的新 API 密钥（只显示这一次，请妥善保存）：\n{key}")
