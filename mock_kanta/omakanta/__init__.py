"""The OmaKanta area: what the client, a guardian and a professional see."""
