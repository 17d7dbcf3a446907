"""Reports for store managers and HQ: sellers, turnover, write-offs, count variances."""
