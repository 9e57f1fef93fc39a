"""Hiring subsidies (招用补贴): which priority groups' hiring may bring an enterprise a subsidy, as data."""
