"""The domain model: campaigns, lists, records, attempts, dispositions, CPA results, SIP codes."""
