"""The pytest plugin (`mock_kanta.testing.plugin`, entry point `pytest11`): a sandbox, tenants, signers, scenarios as tests."""
