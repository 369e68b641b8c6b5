"""The ``cloudcontact-results`` command line."""
