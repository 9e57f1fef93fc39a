"""Backups of an instance's database as one file, and their restoration into an empty instance.

A backup is a gzipped tar holding ``manifest.json`` (format, database kind, Alembic revision, the row
count of every table as copied, a fingerprint of the personal-data keys), the database itself —
SQLite: a copy made through SQLite's online backup API (one read transaction, so the copy is
consistent while the server writes); PostgreSQL: a ``pg_dump`` custom-format archive taken in the
snapshot the row counts were read in — and, unless left out, ``keys.json``: the keys that encrypt ID
numbers (``JOBLINK_PII_KEY``) and hash them for look-up (``JOBLINK_PII_HASH_KEY``). Without those
keys the encrypted ID numbers of a restored database cannot be read or found again, so by default
they travel with the data and the file is as secret as the keys (written 0600); ``--without-keys``
makes a file for places the keys must not go, and the keys are then kept apart (docs/operations.md).

The search index is not in the backup: it is derived, and rebuilt from the restored database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import Engine, make_url

from core.db import make_engine, reading, utcnow
from core.errors import DomainError

FORMAT = "joblink-backup"
FORMAT_VERSION = 1
MANIFEST, KEYS = "manifest.json", "keys.json"
DATABASE_MEMBER = {"sqlite": "joblink.db", "postgresql": "joblink.dump"}
KEY_NAMES = ("JOBLINK_PII_KEY", "JOBLINK_PII_HASH_KEY")

# Tables an empty instance already holds (reference data, shipped screening defaults, Alembic's
# revision): rows there do not make a restore target "not empty".
REFERENCE_TABLES = frozenset({"alembic_version", "regions", "occupations", "screening_rules",
                              "screening_settings", "minimum_wages"})


class BackupError(DomainError):
    """A backup or restore that cannot go on; nothing of the target was changed."""


@dataclass
class BackupReport:
    path: Path
    dialect: str
    tables: dict[str, int]
    keys_included: bool
    size_bytes: int


@dataclass
class RestoreReport:
    dialect: str
    created_at: str
    tables: dict[str, int]
    keys: dict[str, str] | None  # the backup's keys, when it holds them
    key_fingerprint: str
    mismatched: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (in backup, restored)


def key_fingerprint(keys: dict[str, str]) -> str:
    """A short digest naming a pair of keys without revealing them (kept in every manifest)."""
    joined = "\n".join(str(keys.get(name) or "") for name in KEY_NAMES)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def row_counts(conn) -> dict[str, int]:
    """Rows per table (every table of the database, by name), read on ``conn``."""
    names = sorted(inspect(conn).get_table_names())
    return {name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one()) for name in names}


def holds_data(engine: Engine) -> dict[str, int]:
    """The tables outside reference data that have rows (empty: the database may be restored into)."""
    with reading(), engine.connect() as conn:
        counts = row_counts(conn)
    return {name: n for name, n in counts.items() if n and name not in REFERENCE_TABLES}


def _revision(counts: dict[str, int], conn) -> str | None:
    if "alembic_version" not in counts:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


# --- backup -------------------------------------------------------------------------------------------


def create_backup(engine: Engine, path: Path, keys: dict[str, str], *, include_keys: bool = True) -> BackupReport:
    """Write a backup of the database behind ``engine`` to ``path`` (replaced atomically)."""
    path = Path(path)
    dialect = engine.dialect.name
    if dialect not in DATABASE_MEMBER:
        raise BackupError("unsupported_database", f"不支持备份 {dialect} 数据库（只支持 SQLite 和 PostgreSQL）")
    with tempfile.TemporaryDirectory(prefix="joblink-backup-") as work:
        dump = Path(work) / DATABASE_MEMBER[dialect]
        if dialect == "sqlite":
            counts, revision = _copy_sqlite(engine, dump)
        else:
            counts, revision = _dump_postgres(engine, dump)
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": utcnow().isoformat(timespec="seconds"),
                    "dialect": dialect, "database": dump.name, "alembic_revision": revision, "tables": counts,
                    "keys_included": include_keys, "key_fingerprint": key_fingerprint(keys)}
        _write_archive(path, manifest, dump, {name: keys[name] for name in KEY_NAMES} if include_keys else None)
    return BackupReport(path, dialect, counts, include_keys, path.stat().st_size)


def _copy_sqlite(engine: Engine, dest: Path) -> tuple[dict[str, int], str | None]:
    """SQLite's online backup API in one step: one read transaction, so writers carry on and the copy
    is the database as of one moment. Counts are read from the copy itself."""
    source = sqlite3.connect(_sqlite_file(engine))
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    copy = _sqlite_engine(dest)
    try:
        with reading(), copy.connect() as conn:
            counts = row_counts(conn)
            return counts, _revision(counts, conn)
    finally:
        copy.dispose()


def _dump_postgres(engine: Engine, dest: Path) -> tuple[dict[str, int], str | None]:
    """``pg_dump`` in the snapshot the counts were read in (``--snapshot``), so they describe the dump."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = row_counts(conn)
        revision = _revision(counts, conn)
        _run_pg("pg_dump", engine, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                f"--file={dest}")
    return counts, revision


def _write_archive(path: Path, manifest: dict, dump: Path, keys: dict[str, str] | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    os.chmod(partial, 0o600)  # personal data, and perhaps the keys that read it
    try:
        with tarfile.open(partial, "w:gz") as tar:
            _add_json(tar, MANIFEST, manifest)
            tar.add(dump, arcname=dump.name)
            if keys is not None:
                _add_json(tar, KEYS, keys)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _add_json(tar: tarfile.TarFile, name: str, data: dict) -> None:
    raw = json.dumps(data, ensure_ascii=False, indent=2).encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(raw), 0o600, int(dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(raw))


# --- restore ------------------------------------------------------------------------------------------


def read_backup(path: Path) -> tuple[dict, dict[str, str] | None]:
    """The manifest and the keys (``None`` when the backup was made without them)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            manifest = _member_json(tar, MANIFEST)
            keys = _member_json(tar, KEYS) if manifest.get("keys_included") else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError("not_a_backup", f"{path} 不是可用的 JobLink 备份文件（{type(exc).__name__}）", "path") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError("not_a_backup", f"{path} 不是本版本 JobLink 的备份文件", "path")
    return manifest, keys


def _member_json(tar: tarfile.TarFile, name: str) -> dict:
    fh = tar.extractfile(name)
    if fh is None:
        raise KeyError(name)
    return json.loads(fh.read().decode())


def restore_backup(engine: Engine, path: Path, *, force: bool = False) -> RestoreReport:
    """Replace the database behind ``engine`` with the backup at ``path``; refuses a database holding
    data unless ``force``. Returns what was restored and any table whose rows differ from the backup."""
    manifest, keys = read_backup(path)
    dialect = engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError("wrong_database", f"备份来自 {manifest['dialect']} 数据库，不能恢复到 {dialect} 数据库")
    occupied = holds_data(engine)
    if occupied and not force:
        listed = "、".join(f"{name} {n} 行" for name, n in sorted(occupied.items())[:5])
        raise BackupError("target_not_empty", f"目标数据库已有数据（{listed}），未恢复。确认要覆盖时加 --force")
    engine.dispose()  # our own connections must not hold the database while it is replaced
    with tempfile.TemporaryDirectory(prefix="joblink-restore-") as work:
        with tarfile.open(path, "r:gz") as tar:
            tar.extract(manifest["database"], work, filter="data")
        dump = Path(work) / manifest["database"]
        if dialect == "sqlite":
            _restore_sqlite(dump, engine)
        else:
            _run_pg("pg_restore", engine, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                    "--single-transaction", "--exit-on-error", str(dump))
    with reading(), engine.connect() as conn:
        restored = row_counts(conn)
    expected = manifest["tables"]
    mismatched = {name: (n, restored.get(name, 0)) for name, n in expected.items() if restored.get(name, 0) != n}
    return RestoreReport(dialect, manifest["created_at"], expected, keys, manifest["key_fingerprint"], mismatched)


def _restore_sqlite(dump: Path, engine: Engine) -> None:
    """The backup API again, from the copy onto the live file: it takes the write lock, so a server
    using the file waits and then sees the restored database (a file copy under it would corrupt it)."""
    source = sqlite3.connect(dump)
    target = sqlite3.connect(_sqlite_file(engine), timeout=60)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# --- helpers ------------------------------------------------------------------------------------------


def _sqlite_file(engine: Engine) -> str:
    name = engine.url.database
    if not name or name == ":memory:":
        raise BackupError("unsupported_database", "内存中的 SQLite 数据库不能备份或恢复")
    return name


def _sqlite_engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def _run_pg(program: str, engine: Engine, *args: str) -> None:
    """Run pg_dump / pg_restore against the engine's database (the password through the environment,
    never on the command line)."""
    exe = shutil.which(program)
    if exe is None:
        raise BackupError("pg_client_missing", f"找不到 {program}：请安装 PostgreSQL 客户端（Debian：apt-get install "
                                               "postgresql-client）")
    url = make_url(engine.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run([exe, f"--dbname={conninfo}", *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError("pg_tool_failed", f"{program} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-800:]}")
