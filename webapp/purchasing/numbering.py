"""Document numbers people can read out on the phone: PO-261122-7F3A9C, RN-261122-04B1D2."""
import uuid

from webapp.clock import utcnow


def document_number(prefix: str) -> str:
    return f"{prefix}-{utcnow():%y%m%d}-{uuid.uuid4().hex[:6].upper()}"
