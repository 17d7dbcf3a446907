"""The catalogue: products, SKUs, barcodes, categories, prices."""
