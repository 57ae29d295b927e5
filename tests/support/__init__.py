"""Helpers shared by the tests: starting the stack, talking to the model."""
