"""The settings module Zappa's handler reads, as `zappa package` would write it for Django."""

API_STAGE = "production"
ASYNC_RESPONSE_TABLE = ""
AWS_BOT_EVENT_MAPPING = {}
AWS_EVENT_MAPPING = {}
BASE_PATH = None
BINARY_SUPPORT = True
COGNITO_TRIGGER_MAPPING = {}
CONTEXT_HEADER_MAPPINGS = {}
DEBUG = False
DJANGO_SETTINGS = "config.settings.aws_lambda"
DOMAIN = None
ENVIRONMENT_VARIABLES = {}
EXCEPTION_HANDLER = None
LOG_LEVEL = "INFO"
PROJECT_NAME = "benchmark"
REMOTE_ENV = None
SLIM_HANDLER = False
