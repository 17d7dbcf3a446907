"""Counts (盘点): store staff count the shelf, a manager approves the variance."""
