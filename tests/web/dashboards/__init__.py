"""Dashboard, API and browser tests of the plan pages."""
