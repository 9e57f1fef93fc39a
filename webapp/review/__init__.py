"""Reviewer pages: the queue of held postings, decisions, the audit trail, the screening rules."""
