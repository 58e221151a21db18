"""The home page and the Kon Rẫy demo: the top layer, reading every app below it."""
