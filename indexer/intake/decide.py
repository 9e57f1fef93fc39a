"""The one publish / hold / reject decision. Every path that decides calls ``decide``: the pipeline's
stages (every channel, the enterprise form, project demand, retries), ``screen_drafts`` (the dry
run) and the reviewers' rule tester (``judge_text``).

The reasons are every problem found, ``info`` ones included: they are shown (a reviewer's hint, as
the rule editor's "仅提示" promises), they never hold a posting.
"""
from __future__ import annotations

from typing import Iterable

from indexer.drafts import Decision, Issue, NormalisedPosting
from indexer.screening import RuleSet, check, load_rules, text_findings

SEVERITY_RANK = {"info": 0, "hold": 1, "reject": 2}


def rank(issue: Issue) -> int:
    return SEVERITY_RANK.get(issue.severity, 1)


def decide(problems: Iterable[Issue], findings: Iterable[Issue], trust_level: str, rules: RuleSet) -> Decision:
    """``problems``: what the adapter and normalisation found (kept in their order, first);
    ``findings``: screening's (listed most severe first). A reject reason rejects, a hold reason
    holds; with neither, the channel's trust level decides."""
    info_only = set(rules.setting("normalisation_issue_codes_info_only", []))
    problems = [_informative(i) if i.severity == "hold" and i.code in info_only else i for i in problems]
    findings = list(findings)
    worst = max(map(rank, [*problems, *findings]), default=0)
    if worst == 2:
        outcome = "reject"
    elif worst == 1:
        outcome = "hold"
    elif str(trust_level) in rules.setting("always_review_trust_levels", ["low"]):
        outcome = "hold"
        findings.append(Issue("channel_requires_review", "该渠道的岗位须逐条人工审核", "channel", "hold"))
    elif str(trust_level) in rules.setting("auto_publish_trust_levels", ["trusted"]):
        outcome = "publish"
    else:
        outcome = "hold"
        findings.append(Issue("channel_not_trusted", "该渠道未设为可信渠道，岗位须人工审核后发布", "channel", "hold"))
    findings.sort(key=lambda i: -rank(i))
    return Decision(outcome, _unique([*problems, *findings]))


def reported(decision: Decision) -> list[Issue]:
    """The reasons to report: all of them; for a refusal, what refused it (its hints are moot)."""
    if decision.outcome != "reject":
        return decision.reasons
    return [i for i in decision.reasons if i.severity != "info"] or decision.reasons


def screen(posting: NormalisedPosting, channel_kind: str, trust_level: str, channel_licence: str | None = None,
           rules: RuleSet | None = None) -> Decision:
    """Screen a normalised posting from a channel of this kind and trust level, and decide."""
    rules = rules or load_rules()
    return decide(posting.issues, check(posting, channel_kind, channel_licence, rules), trust_level, rules)


def judge_text(text: str, rules: RuleSet) -> Decision:
    """The decision on a job description alone, as from a trusted channel (the rule tester: which
    text rules a description trips, and what they would do to it)."""
    return decide((), text_findings(None, text, rules), "trusted", rules)


def _informative(issue: Issue) -> Issue:
    """A normalisation problem an administrator listed as a hint only."""
    return Issue(issue.code, issue.message, issue.field, "info", issue.span, issue.evidence)


def _unique(issues: Iterable[Issue]) -> list[Issue]:
    seen, out = set(), []
    for i in issues:
        key = (i.code, i.field, i.span)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out
