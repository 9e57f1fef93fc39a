"""Saved searches and job alerts (岗位订阅): a jobseeker keeps a search and hears of new postings."""
