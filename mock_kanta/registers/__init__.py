"""The registers area: organisations, units, register usage rights and matters, at the sandbox clock."""
