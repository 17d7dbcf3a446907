"""Member growth: tags and segments computed from what members bought, messages and automatic journeys
through an outbox, referral (老带新), "often bought together", and the members and repeat-purchase reports.

A member is the customer ``User`` (one per mobile number); behaviour is their completed sale orders
(``Order.customer_id``) less returns. This room sits beside reports: it reads sales, promotions (coupons)
and stock; nothing below imports it (the shop's sign-up and templates name it only inside a function or
an include).
"""
