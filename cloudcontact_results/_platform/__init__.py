"""The platform: its List Management API's JSON read into the model, client, paging, mirroring."""
