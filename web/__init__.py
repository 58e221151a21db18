"""The Django project: apps in layers, core → orgs → accounts → plans → data → rollups → … → home."""
