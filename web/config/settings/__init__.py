"""Settings: ``base`` reads the environment; ``local`` (default), ``production`` and ``test`` adjust it."""
