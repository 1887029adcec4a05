"""The HTTP front door: alerts from the monitors teams already run, into incidents."""
