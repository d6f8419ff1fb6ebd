"""The live flow, a message's page and the flow's server-sent events."""
