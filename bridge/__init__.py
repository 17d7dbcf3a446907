"""Huotong 货通 hardware bridge: the till's scanner, scale, receipt printer and cash drawer,
relayed to the till page over a loopback websocket. See docs/bridge.md."""

__version__ = "0.1.0"
