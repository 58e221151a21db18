"""Settings (from the environment), URLs, WSGI and the Vietnamese formats."""
