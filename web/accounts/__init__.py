"""Users and their roles; the access rules they are checked against live in web.orgs.access."""
