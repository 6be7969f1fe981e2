"""The test suite of newskit."""
