"""The local stack: moto server as the AWS back end, resources created from template.yaml, and a
small API Gateway stand-in that runs the real authorizer and handlers in-process."""
