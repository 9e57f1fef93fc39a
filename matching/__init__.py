"""JobLink's matcher: a pure library (it imports nothing of the project).

Encoders (``matching.encoder``, trained by ``matching.training``), hard constraints
(``matching.constraints``), the transparent score (``matching.scoring``), the priority-group policy
(``matching.policy``), two-stage ranking in both directions (``matching.ranker``), vector search
(``matching.vectors``) and offline evaluation (``matching.evaluation``). Import the submodules you
need: importing this package loads no model and no heavy dependency.
"""
from matching.profiles import (  # noqa: F401  (plain data types, safe for core to import)
    GroupOutcome,
    GroupPolicy,
    MatchWeights,
    PolicyReport,
    PostingProfile,
    RankedItem,
    RankedList,
    SeekerProfile,
)
