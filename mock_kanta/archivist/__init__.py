"""The archivist's area: what arrived in each register, from whom, signed by whom."""
