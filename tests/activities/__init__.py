"""Tests for the activities: provider transports, templates and the delivery activity."""
