"""``joblink setup`` (what ``make run`` calls) runs its named steps in order on a fresh database,
and a second run finds everything there and changes nothing."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from webapp.cli.setup import STEPS


def test_the_steps_in_order():
    assert [s.name for s in STEPS] == ["migrate", "reference", "demo", "model", "ranker", "index"]


def test_setup_on_a_fresh_database_then_again(fresh_database_url, app_factory):
    from core.accounts.models import User
    from core.postings.models import Posting
    from core.reference.models import Region
    from webapp.extensions import db

    app = app_factory(fresh_database_url("sqlite"), SEARCH_BACKEND="embedded")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup", "--skip-model"])
    assert first.exit_code == 0, (first.output, first.exception)
    progress = re.findall(r"^(\d)/6 (\S+) \.\.\.$", first.stderr, re.M)
    assert progress == [(str(n), s.label) for n, s in enumerate(STEPS, start=1)]
    assert "匹配模型：跳过" in first.stderr and "推荐排序：跳过" in first.stderr
    assert first.stderr.rstrip().endswith("完成")
    with app.app_context():
        s = db.session
        assert s.scalar(select(func.count()).select_from(Region).where(Region.level == 3)) == 2978
        postings = s.scalar(select(func.count()).select_from(Posting))
        assert postings > 0
        assert {u.role.value for u in s.scalars(select(User).where(User.is_demo.is_(True)))} == {
            "jobseeker", "enterprise", "commissioner", "reviewer", "admin"}

    again = runner.invoke(args=["setup", "--skip-model"])
    assert again.exit_code == 0, (again.output, again.exception)
    assert "参考数据已存在" in again.stderr and "演示数据已存在" in again.stderr
    assert "已建立索引" in first.stderr and "已建立索引" not in again.stderr
    assert "postings: 已核对（补 0，删 0，更新 0）" in again.stderr  # reconciled, not rebuilt
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Posting)) == postings
