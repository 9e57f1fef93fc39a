"""``joblink ref load``: the reference data — administrative divisions and occupations."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, session


@click.group("ref")
def ref_group() -> None:
    """Reference data: administrative divisions and the occupational classification."""


@ref_group.command("load")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="folder holding regions/ and occupations/ (default: the project's data/)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ref_load(data_dir, as_json) -> None:
    """Load all regions and occupations (idempotent)."""
    from core.reference.services import DEFAULT_DATA_DIR, load_reference_data

    counts = load_reference_data(session(), Path(data_dir) if data_dir else DEFAULT_DATA_DIR)
    session().commit()
    if as_json:
        echo_json(counts)
        return
    click.echo(
        f"行政区划：{counts['provinces']} 个省级，{counts['cities']} 个地级（另有东莞、中山、儋州不设区，按县级存储），"
        f"{counts['counties']} 个县级"
        f"（{counts['counties_with_coordinates']} 个有坐标）"
    )
    click.echo(
        f"职业分类：{counts['occupation_major']} 大类 / {counts['occupation_middle']} 中类 / "
        f"{counts['occupation_minor']} 小类 / {counts['occupation_detail']} 细类"
    )
