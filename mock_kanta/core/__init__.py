"""The core every layer may use: domain objects, identity, the clock, code systems, findings."""
