"""Helpers of the test suite: strategies, answer keys, fake servers and worker processes."""
