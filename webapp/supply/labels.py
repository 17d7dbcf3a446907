"""The words the supply screens show for statuses, allocation reasons, claims and account rows."""
from flask_babel import lazy_gettext as _l

STATUS = {
    "draft": _l("Draft"), "submitted": _l("Waiting for HQ"), "held": _l("Held: credit"),
    "approved": _l("Approved"), "shipped": _l("On its way"), "received": _l("Received at the store"),
    "rejected": _l("Rejected"),
}
ALLOCATION = {
    "full": _l("HQ has enough for every store"),
    "pro_rata": _l("HQ is short: shared pro-rata, in whole packs"),
    "days_of_cover": _l("HQ is short: the stores running out first come first"),
    "out": _l("HQ is short: nothing left for this store"),
    "discontinued": _l("No longer supplied"),
    "direct": _l("Delivered directly by the supplier"),
}
CLAIM = {"short": _l("Short"), "damaged": _l("Damaged"), "over": _l("Over")}
ENTRY = {"invoice": _l("Invoice"), "payment": _l("Payment"), "credit_note": _l("Credit note"),
         "rebate": _l("Rebate")}
AVAILABILITY = {"in_stock": _l("In stock"), "low": _l("Low"), "out": _l("Out")}
BUCKETS = {"current": _l("Not yet due"), "1-30": _l("1–30 days overdue"), "31-60": _l("31–60 days overdue"),
           "61-90": _l("61–90 days overdue"), "90+": _l("Over 90 days overdue")}
RULES = {"pro_rata": _l("Pro-rata of what was asked, rounded to packs"),
         "days_of_cover": _l("Priority by days of cover")}

ALL = {"status_labels": STATUS, "allocation_labels": ALLOCATION, "claim_labels": CLAIM, "entry_labels": ENTRY,
       "availability_labels": AVAILABILITY, "bucket_labels": BUCKETS, "rule_labels": RULES}
