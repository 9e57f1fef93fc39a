"""Domain errors carry a stable machine code, a message a person can act on (Chinese) and the field."""
from __future__ import annotations


class DomainError(Exception):
    """A use case refused its input. ``code`` is stable for API clients; ``message`` is for people."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        err = {"code": self.code, "message": self.message}
        if self.field:
            err["field"] = self.field
        return {"error": err}


class NotFound(DomainError):
    status = 404

    def __init__(self, what: str, message: str | None = None):
        super().__init__("not_found", message or f"未找到{what}", None)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "您没有权限执行此操作"):
        super().__init__("forbidden", message, None)


class ValidationErrors(DomainError):
    """Several fields wrong at once; nothing was saved."""

    def __init__(self, errors: list[DomainError]):
        first = errors[0]
        super().__init__(first.code, first.message, first.field)
        self.errors = errors

    def as_dict(self) -> dict:
        d = super().as_dict()
        d["error"]["details"] = [e.as_dict()["error"] for e in self.errors]
        return d
