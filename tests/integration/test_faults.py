"""Fault injection (issue 11): the outbox relay killed mid-batch, the search backend down for a while,
PostgreSQL connections lost during an ingest. Each ends with no record lost and the search index
equal to the database (``indexer.worker.reconcile`` finds nothing to repair)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import TEST_KEYS, build_schema_and_reference

ROOT = Path(__file__).resolve().parents[2]

JOBS = ["电焊工", "会计", "保安员", "中式烹调师", "货车司机", "护理员", "维修电工", "幼儿教师", "仓库管理员",
        "销售代表", "叉车司机", "服装缝纫工", "收银员", "快递分拣员", "水电安装工", "客服专员"]
PLACES = ["广东省广州市海珠区", "广东省广州市天河区", "广东省广州市白云区", "广东省广州市番禺区"]


def postings_csv(tag: str, rows: int) -> bytes:
    """A channel's spreadsheet (CSV) of ``rows`` distinct postings: distinct jobs and employers, so
    deduplication keeps each as its own posting."""
    lines = ["职位,公司名称,工作地点,薪酬,人数,工作内容"]
    for n in range(rows):
        job = JOBS[n % len(JOBS)]
        pay = 4000 + 100 * (n % 30)
        lines.append(f"{job}（{tag}第{n}号）,广州{tag}{n}号服务有限公司,{PLACES[n % len(PLACES)]},"
                     f"{pay}-{pay + 3000}元/月,2,{job}岗位，{tag}批次第{n}号，负责本岗位日常工作，按时上下班。")
    return ("\n".join(lines) + "\n").encode("utf-8")
