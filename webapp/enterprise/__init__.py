"""Enterprise pages: publishing posts through the intake pipeline, postings, applicants."""
