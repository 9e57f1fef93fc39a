"""Screening rules an administrator can read and extend: stored in the database once seeded."""
