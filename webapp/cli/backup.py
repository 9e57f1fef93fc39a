"""``joblink backup PATH`` / ``joblink restore PATH``: the instance's database in one file (SQLite's
online backup API or pg_dump, with the ID-number keys unless ``--without-keys``), and back into an
empty instance, whose search index is then rebuilt (core/backup.py; docs/operations.md)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.cli.common import EXIT_FAILED, echo_json, fail, reported_errors, session


def _configured_keys() -> dict[str, str]:
    from core.backup import KEY_NAMES

    return {name: current_app.config[name] for name in KEY_NAMES}


def _engine():
    from webapp.extensions import db

    session().remove()
    return db.engine


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--without-keys", is_flag=True,
              help="leave the ID-number keys out (they must then be kept apart: without them ID numbers cannot be read)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def backup(path, without_keys, as_json) -> None:
    """Back up the database (consistent while the server writes) into one file."""
    from core.backup import BackupError, create_backup

    with reported_errors(as_json, also=(BackupError,)):
        report = create_backup(_engine(), path, _configured_keys(), include_keys=not without_keys)
    rows = sum(report.tables.values())
    if as_json:
        echo_json({"path": str(report.path), "database": report.dialect, "tables": report.tables,
                   "keys_included": report.keys_included, "bytes": report.size_bytes})
        return
    click.echo(f"已备份 {report.dialect} 数据库：{len(report.tables)} 张表，{rows} 行 → {report.path}"
               f"（{report.size_bytes / 1048576:.1f} MB）")
    if report.keys_included:
        click.echo("注意：备份文件中有身份证号的加密密钥，拿到此文件即可读出身份证号，请像保管密钥一样保管它。", err=True)
    else:
        click.echo("注意：备份文件中没有身份证号的加密密钥（JOBLINK_PII_KEY、JOBLINK_PII_HASH_KEY）："
                   "请另行保管，没有它们，恢复后的身份证号无法读出，也无法按身份证号查找。", err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite a database that already holds data")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def restore(path, force, as_json) -> None:
    """Restore a backup into this instance's (empty) database, then rebuild the search index."""
    from core.backup import BackupError, read_backup, restore_backup

    with reported_errors(as_json, also=(BackupError,)):
        manifest, keys = read_backup(path)
        install = _key_plan(manifest, keys, force, as_json)
        report = restore_backup(_engine(), path, force=force)
    if install:
        _install_keys(keys)
    if report.mismatched:
        fail(as_json, "restore_incomplete", "恢复后的行数与备份不符：" + json.dumps(report.mismatched, ensure_ascii=False))
    indexed = _rebuild_index()
    decrypts = _id_numbers_decrypt()
    if as_json:
        echo_json({"database": report.dialect, "backup_created_at": report.created_at, "tables": report.tables,
                   "keys_installed": install, "indexed": indexed, "id_numbers_decrypt": decrypts})
    else:
        click.echo(f"已恢复 {report.created_at}（UTC）的备份：{len(report.tables)} 张表，{sum(report.tables.values())} 行")
        if install:
            click.echo(f"已把备份中的身份证号密钥写入 {_secrets_path()}；请重启正在运行的 JobLink 服务。")
        click.echo("搜索索引已重建：" + "，".join(f"{name} {n} 条" for name, n in indexed.items()))
        click.echo({True: "身份证号解密检查：通过", False: "身份证号解密检查：失败，请配置备份时的密钥",
                    None: "没有登记身份证号的求职者，无需检查密钥"}[decrypts])
    if decrypts is False:
        raise SystemExit(EXIT_FAILED)


def _secrets_path() -> Path:
    return Path(current_app.instance_path) / "secrets.json"


def _keys_from_instance_file() -> bool:
    """Whether the configured keys are the instance's generated ones (instance/secrets.json), which a
    restore may replace, rather than the environment's, which only the operator can change."""
    from core.backup import KEY_NAMES

    if any(os.environ.get(name) for name in KEY_NAMES) or not _secrets_path().exists():
        return False
    stored = json.loads(_secrets_path().read_text())
    return all(stored.get(name) == current_app.config[name] for name in KEY_NAMES)


def _key_plan(manifest: dict, keys: dict | None, force: bool, as_json: bool) -> bool:
    """True when the backup's keys are to replace the instance's; refuses (before anything changes) a
    restore after which ID numbers could not be read, unless ``force``."""
    from core.backup import key_fingerprint

    if key_fingerprint(_configured_keys()) == manifest["key_fingerprint"]:
        return False
    if keys is not None and _keys_from_instance_file():
        return True
    if force:
        click.echo("警告：当前的身份证号密钥不是备份时的，恢复后身份证号无法读出。", err=True)
        return False
    if keys is not None:
        message = ("当前由环境变量配置的身份证号密钥与备份时不同，未恢复：请把 JOBLINK_PII_KEY 和 JOBLINK_PII_HASH_KEY "
                   "设为备份文件中 keys.json 的值（tar -xzOf 备份文件 keys.json）后再恢复")
    else:
        message = ("备份文件中没有身份证号密钥，当前配置的密钥也不是备份时的，恢复后身份证号将无法读出，未恢复："
                   "请先配置备份时的 JOBLINK_PII_KEY 和 JOBLINK_PII_HASH_KEY；确认仍要恢复时加 --force")
    fail(as_json, "keys_mismatch", message)


def _install_keys(keys: dict[str, str]) -> None:
    path = _secrets_path()
    stored = json.loads(path.read_text())
    stored.update(keys)
    path.write_text(json.dumps(stored))
    path.chmod(0o600)
    current_app.config.update(keys)
    current_app.extensions.pop("joblink_cipher", None)  # the cipher made with the old keys


def _rebuild_index() -> dict[str, int]:
    from indexer.worker import rebuild
    from webapp.cli.index import COLLECTIONS, _posting_vectors

    backend = current_app.extensions.get("search")
    if backend is None:
        return {}
    vectors = _posting_vectors()  # the postings' vectors too (search by meaning), when a model is there
    return {name: rebuild(session(), backend, name, vectors=vectors) for name in COLLECTIONS}


def _id_numbers_decrypt() -> bool | None:
    """Whether an encrypted ID number of the restored database decrypts with the keys now in effect
    (``None``: no jobseeker has one)."""
    from sqlalchemy import select

    from core.crypto import PersonalDataCipher
    from core.seekers.models import Jobseeker

    token = session().scalar(select(Jobseeker.id_number_encrypted)
                             .where(Jobseeker.id_number_encrypted.is_not(None)).limit(1))
    session().rollback()
    if token is None:
        return None
    keys = _configured_keys()
    try:
        PersonalDataCipher(keys["JOBLINK_PII_KEY"], keys["JOBLINK_PII_HASH_KEY"]).decrypt(token)
    except ValueError:
        return False
    return True
