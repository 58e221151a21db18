"""The Django project: apps in layers, accounts/orgs → plans → data → rollups → dashboards/reports/api."""
