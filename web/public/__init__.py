"""The public page: a published plan's approved figures and verdicts, read by anyone without a login."""
