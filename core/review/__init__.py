"""Reviewing held postings (岗位信息发布审核): the queue, decisions and their audit trail."""
