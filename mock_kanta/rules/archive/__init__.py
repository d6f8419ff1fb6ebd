"""The archive side's rule families, one module each."""
