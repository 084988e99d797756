"""Calibration on the record: reading it, mapping the model to what each source measures, scoring forecasts."""
