"""Job fair pages (/fairs): public list and page, jobseekers' registration and personal code,
commissioners' console (booths, door check-in, report, follow-ups) and the enterprise's booth phone."""
