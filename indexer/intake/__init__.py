"""Intake: every posting, whatever its channel, through one flow — convert (the channel's adapter)
-> normalise -> screen -> dedup -> persist. Read ``pipeline.py`` first (the flow, one screen), then
one module per step:

- ``prepare``: channel and external-id checks, what the database already holds (reads only);
- ``stages``: normalise, screen and fingerprint each record (in worker processes for long runs);
- ``decide``: THE publish / hold / reject decision, used by every path (and the rule tester);
- ``enterprises``: each posting's enterprise, found or created;
- ``duplicates``: the dedup step (merge, hold as a probable duplicate, or new);
- ``persist``: postings, sources, fingerprints, outbox events (``core.outbox``), rejected records;
- ``runs``: the ``IngestRun`` record; ``results``: what intake reports;
- ``use_cases``: the enterprise form, project demand, the dry run, retrying rejected records.
"""
from .decide import decide, judge_text, screen
from .pipeline import DEFAULT_BATCH_SIZE, IntakeOptions, Pipeline
from .results import OUTCOMES, IngestSummary, RecordResult
from .use_cases import (ingest_drafts, publish_labour_demand, retry_rejected, screen_drafts,
                        submit_enterprise_posting)

__all__ = ["DEFAULT_BATCH_SIZE", "OUTCOMES", "IngestSummary", "IntakeOptions", "Pipeline", "RecordResult", "decide",
           "ingest_drafts", "judge_text", "publish_labour_demand", "retry_rejected", "screen", "screen_drafts",
           "submit_enterprise_posting"]
