"""Enterprise employment monitoring (企业用工监测): monitored enterprises, their monthly reports, the
layoff alerts those reports raise, and the follow-up of the laid-off workers."""
