"""Store orders to head office (门店要货) and the franchise account: suggest, submit, allocate, approve, ship, receive, settle."""
