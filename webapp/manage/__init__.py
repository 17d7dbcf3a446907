"""The manager's dashboard at /manage: today at a glance, the seeds' KPIs, alerts that lead somewhere."""
