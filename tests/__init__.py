"""The test suite of cloudcontact_results."""
