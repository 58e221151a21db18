"""Django format modules per language."""
