"""Data access: the only modules that touch boto3 or know table and key names."""
