"""``joblink setup`` (what ``make run`` calls): the set-up steps, as one ordered list; each step is
safe to re-run (it skips or reconciles what is already there)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import click
from flask.cli import with_appcontext

from webapp.cli.common import session
from webapp.cli.demo import demo_load
from webapp.cli.index import build_or_reconcile_index
from webapp.cli.matcher import train_demo_model
from webapp.cli.ranker import train_setup_ranker
from webapp.cli.ref import ref_load


@dataclass(frozen=True)
class SetupStep:
    name: str
    label: str  # the progress line: "2/5 参考数据 ..."
    run: Callable[[bool], None]  # run(skip_model)


def migrate_database(skip_model: bool) -> None:
    from flask_migrate import upgrade

    upgrade()


def load_reference_data(skip_model: bool) -> None:
    from core.reference.services import reference_loaded

    if reference_loaded(session()):
        click.echo("  参考数据已存在", err=True)
        return
    click.get_current_context().invoke(ref_load)


def load_demo_data(skip_model: bool) -> None:
    from sqlalchemy import func, select

    from core.postings.models import Posting

    if session().scalar(select(func.count()).select_from(Posting)):
        click.echo("  演示数据已存在", err=True)
        return
    click.get_current_context().invoke(demo_load)


STEPS: tuple[SetupStep, ...] = (
    SetupStep("migrate", "数据库迁移", migrate_database),
    SetupStep("reference", "参考数据", load_reference_data),
    SetupStep("demo", "演示数据", load_demo_data),
    # the model before the index: the postings' search documents carry their vectors (semantic search)
    SetupStep("model", "训练匹配模型", train_demo_model),
    SetupStep("ranker", "学习推荐排序", train_setup_ranker),
    SetupStep("index", "建立搜索索引", build_or_reconcile_index),
)


@click.command("setup")
@click.option("--skip-model", is_flag=True, help="do not train the in-domain matcher model nor learn the ranking")
@with_appcontext
def setup(skip_model) -> None:
    """Migrate, load reference and demo data if missing, build the index and model. Safe to re-run."""
    for number, step in enumerate(STEPS, start=1):
        click.echo(f"{number}/{len(STEPS)} {step.label} ...", err=True)
        step.run(skip_model)
    click.echo("完成", err=True)
