"""Data entry: submissions, observations and evidence; approval; bulk loads."""
