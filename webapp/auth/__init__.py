"""Users, roles and store scope."""
