"""Posting validity spot-checks (岗位信息有效率抽查) and the posting lifecycle by date: expiry and refresh."""
