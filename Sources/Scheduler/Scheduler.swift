// Scheduler: cron expressions, time zones, jobs, the daemon loop and run history.
