"""The floor: a handler that returns a constant, so only Python and awslambdaric start."""


def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "ok"}
