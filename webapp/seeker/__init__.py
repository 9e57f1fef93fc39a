"""Jobseeker pages: profile, applications, applying to a posting."""
