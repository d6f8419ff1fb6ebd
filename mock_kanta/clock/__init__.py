"""The sandbox clock's faces (its state lives in mock_kanta.core.clock)."""
