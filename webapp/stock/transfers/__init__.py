"""Transfers (调拨) between stores and from the HQ warehouse: create, send, receive, resolve."""
