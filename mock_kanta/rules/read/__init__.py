"""The read side's rules (search and retrieve access)."""
