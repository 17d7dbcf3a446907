"""One pricing seam: every channel prices a cart here."""
