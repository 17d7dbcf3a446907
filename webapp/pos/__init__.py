"""The till (POS): registers, shifts, cash in the drawer, manager PINs, the Z report."""
