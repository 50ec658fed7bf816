"""updraft."""
