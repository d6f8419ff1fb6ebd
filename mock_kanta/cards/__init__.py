"""Virtual professional cards and system keys: the command line."""
