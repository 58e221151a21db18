"""Users, roles and the access rules every service asks."""
