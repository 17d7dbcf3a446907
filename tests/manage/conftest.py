"""The dashboard's fixtures: the reports' stocked SKUs and till sales (one way to make a ledger)."""
from tests.reports.conftest import stocked  # noqa: F401  (a fixture)
