"""Test doubles for the outside world: a local SendGrid and Twilio speaking their wire format."""
