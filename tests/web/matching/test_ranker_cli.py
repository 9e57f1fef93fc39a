"""`joblink ranker train` and `joblink setup`'s ranker step: the learned order is trained from posting
files in their real format (the shipped 智联 sample), saved beside the model and then used for
为我推荐; without the files, or with files it cannot learn from, the person is told in words and
为我推荐 keeps the hand-set score."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.matching.pool import clear_pools
from matching.ltr import FEATURES_VERSION, LearnedRanker

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture
def posting_files(tmp_path):
    """A data folder laid out like JOBLINK_SHARED_DATA: postings/, regions/, occupations/."""
    root = tmp_path / "shared"
    (root / "postings").mkdir(parents=True)
    shutil.copy(DATA / "samples" / "zhilian-30cities-2022.jsonl.gz", root / "postings")
    shutil.copytree(DATA / "regions", root / "regions")
    shutil.copytree(DATA / "occupations", root / "occupations")
    return root


@pytest.fixture
def own_model(app, tiny_model_dir, tmp_path):
    """A copy of the tiny model (a ranker saved beside it must not reach other tests)."""
    from webapp.matching.runtime import reset_ranker

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    old = app.config.get("MATCHER_MODEL"), app.config.get("MATCHER_RANKER"), app.config.get("JOBLINK_SHARED_DATA")
    app.config["MATCHER_MODEL"], app.config["MATCHER_RANKER"] = str(folder), "learned"
    reset_ranker(app)
    yield folder
    app.config["MATCHER_MODEL"], app.config["MATCHER_RANKER"], app.config["JOBLINK_SHARED_DATA"] = old
    reset_ranker(app)
    clear_pools()


def test_trained_from_the_files_saved_beside_the_model_and_used(app, runner, own_model, posting_files):
    from webapp.matching.runtime import get_ranker

    assert get_ranker(app).learned is None  # nothing saved yet: the hand-set score
    result = runner.invoke(args=["ranker", "train", "--data", str(posting_files), "--seekers", "60", "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    out = json.loads(result.output)
    assert Path(out["folder"]) == own_model / "ranker" and out["lists"] > 10 and out["rows"] > out["lists"]
    assert out["features_version"] == FEATURES_VERSION and out["categories"] > 10
    saved = LearnedRanker.load(own_model)
    assert saved is not None and saved.categories is not None
    # the next ranker the app builds orders 为我推荐 by it
    from webapp.matching.runtime import reset_ranker

    reset_ranker(app)
    assert get_ranker(app).learned is not None

    # the model trained again in the same folder: the ranker learnt on the old one's similarities is
    # not used until it is trained again
    meta_file = own_model / "joblink_model.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["model_version"] += "-again"
    meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    assert LearnedRanker.load(own_model) is None


def test_files_it_cannot_learn_from_are_told_in_words(runner, own_model, posting_files, tmp_path):
    empty = tmp_path / "empty"
    (empty / "postings").mkdir(parents=True)
    result = runner.invoke(args=["ranker", "train", "--data", str(empty), "--json"])
    assert result.exit_code != 0 and json.loads(result.output)["error"]["code"] == "training_failed"
    assert "缺少职业分类" in result.output and "行政区划" in result.output
    # the reference files there, but no posting with a site category to learn the kinds of job from
    shutil.copytree(posting_files / "regions", empty / "regions")
    shutil.copytree(posting_files / "occupations", empty / "occupations")
    result = runner.invoke(args=["ranker", "train", "--data", str(empty)])
    assert result.exit_code != 0 and "无法训练排序模型：没有标明类别的岗位可供学习" in result.output
    assert not (own_model / "ranker").exists()


def test_setup_learns_it_once_when_the_files_are_there(app, own_model, posting_files, tmp_path, capsys, caplog):
    from webapp.cli.ranker import train_setup_ranker
    from webapp.matching.runtime import get_ranker, reset_ranker

    with app.app_context():
        app.config["JOBLINK_SHARED_DATA"] = str(tmp_path / "nowhere")
        train_setup_ranker()
        assert "没有找到完整的招聘数据" in capsys.readouterr().err
        assert LearnedRanker.load(own_model) is None and get_ranker(app).learned is None

        train_setup_ranker(skip_model=True)
        assert "推荐排序：跳过" in capsys.readouterr().err

        app.config["JOBLINK_SHARED_DATA"] = str(posting_files)
        reset_ranker(app)  # as in a fresh `joblink setup` process: no ranker built yet
        caplog.clear()
        train_setup_ranker()
        assert "推荐排序已学好" in capsys.readouterr().err
        assert "no usable ranker" not in caplog.text  # not warned of the ranker it was learning
        assert app.config["MATCHER_RANKER"] == "learned"
        assert get_ranker(app).learned is not None  # the app's ranker was rebuilt with it
        stamp = (own_model / "ranker" / "ranker.json").read_text(encoding="utf-8")

        train_setup_ranker()  # a second setup keeps it
        assert "推荐排序：已存在" in capsys.readouterr().err
        assert (own_model / "ranker" / "ranker.json").read_text(encoding="utf-8") == stamp
