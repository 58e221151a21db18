"""The permission matrix: every URL probed for every role."""
