"""Template filters shared by every app."""
