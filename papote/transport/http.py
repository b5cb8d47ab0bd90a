"""HTTP routes: entering, accounts, the web client's pages. Chat itself runs over /ws."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from papote.domain import connections, images, people, rooms
from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, now_ms
from papote.domain.services import Services
from papote.moderation import appeals, decisions, permissions, reports, transparency
from papote.transport.websocket import SESSION_COOKIE

STATUS_BY_CODE = {
    "not_authenticated": 401,
    "login_failed": 401,
    "registration_required": 403,
    "account_suspended": 403,
    "device_suspended": 403,
    "pseudo_taken": 409,
    "email_taken": 409,
    "already_registered": 409,
    "rate_limited": 429,
    "new_arrival_images": 429,
    "image_not_found": 404,
    "image_too_large": 413,
    "image_format": 415,
    "image_svg": 415,
    "image_blocked": 403,
    "images_unavailable": 503,
    "image_check_failed": 503,
    "forbidden": 403,
    "report_target_not_found": 404,
}
UPLOAD_TYPES = ("application/octet-stream", "image/")
MAX_BODY_BYTES = 16_384


def refusal_response(refusal: PapoteRefusal) -> JSONResponse:
    return JSONResponse(refusal.as_dict(), status_code=STATUS_BY_CODE.get(refusal.code, 400))


async def json_body(request: Request) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        # also what makes a cross-site HTML form unable to post here
        raise PapoteRefusal("bad_request", details={"expected": "application/json"})
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise PapoteRefusal("frame_too_large")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise PapoteRefusal("bad_request") from error
    if not isinstance(body, dict):
        raise PapoteRefusal("bad_request")
    return body


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def person_json(person: Person) -> dict[str, Any]:
    return {
        **person.public(),
        "departement": person.departement,
        "registered": person.registered,
        "role": person.role,
    }


def with_session(response: Response, request: Request, entry: people.Entry) -> Response:
    settings = services_of(request).settings
    max_age = max(0, (entry.expires_ms - now_ms()) // 1000)
    response.set_cookie(
        SESSION_COOKIE,
        entry.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


async def current_person(request: Request) -> Person:
    person = await people.authenticate(services_of(request), request.cookies.get(SESSION_COOKIE))
    if person is None:
        raise PapoteRefusal("not_authenticated")
    return person


def _str(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    return value if isinstance(value, str) else ""


async def enter(request: Request) -> Response:
    body = await json_body(request)
    await connections.refuse_ban_evasion(services_of(request), request.cookies.get(connections.DEVICE_COOKIE))
    entry = await people.enter(
        services_of(request),
        _str(body, "pseudo"),
        body.get("birth_date"),
        gender=_str(body, "gender") or None,
        departement=_str(body, "departement") or None,
        accept_rules=body.get("accept_rules") is True,
    )
    return await _connected(request, entry, "enter")


async def _connected(request: Request, entry: people.Entry, kind: str) -> Response:
    """Keep the connection record (and give the browser a device id once), then open the session."""
    device = request.cookies.get(connections.DEVICE_COOKIE)
    peer = (request.client.host, request.client.port) if request.client else None
    await connections.record(services_of(request), entry.person.id, kind, peer, device)
    response = with_session(JSONResponse({"person": person_json(entry.person)}), request, entry)
    if not device:
        response.set_cookie(
            connections.DEVICE_COOKIE,
            secrets.token_hex(16),
            max_age=365 * 86_400,
            httponly=True,
            samesite="lax",
            secure=services_of(request).settings.cookie_secure,
            path="/",
        )
    return response


async def register(request: Request) -> Response:
    body = await json_body(request)
    person = await current_person(request)
    updated = await people.register(services_of(request), person, _str(body, "email"), _str(body, "password"))
    return JSONResponse({"person": person_json(updated)})


async def login(request: Request) -> Response:
    body = await json_body(request)
    entry = await people.login(services_of(request), _str(body, "email"), _str(body, "password"))
    return await _connected(request, entry, "login")


async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await people.logout(services_of(request), token)
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: Request) -> Response:
    return JSONResponse({"person": person_json(await current_person(request))})


async def list_rooms(request: Request) -> Response:
    person = await current_person(request)
    return JSONResponse({"rooms": await rooms.list_rooms(services_of(request), person)})


async def upload_image(request: Request) -> Response:
    """The raw file as the body (a browser form cannot send these content types across sites)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(UPLOAD_TYPES) or request.headers.get("sec-fetch-site") == "cross-site":
        raise PapoteRefusal("bad_request", details={"expected": "application/octet-stream"})
    person = await current_person(request)
    services = services_of(request)
    data = await _body_up_to(request, services.settings.image_max_bytes)
    return JSONResponse(await images.upload(services, person, data), status_code=201)


async def _body_up_to(request: Request, limit: int) -> bytes:
    """Read the body, stopping (and refusing) as soon as it passes `limit`: a huge upload costs nothing."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> PapoteRefusal:
    megabytes = f"{limit / 1_000_000:.3g}"
    return PapoteRefusal(
        "image_too_large",
        fr=f"Cette image est trop lourde ({megabytes.replace('.', ',')} Mo au plus).",
        en=f"This image is too large ({megabytes} MB at most).",
        details={"max_bytes": limit},
    )


async def message_image(request: Request) -> Response:
    person = await current_person(request)
    message_id = int(request.path_params["message_id"])
    data, mime = await images.fetch(services_of(request), person, message_id, request.path_params["variant"])
    headers = {
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    return Response(data, media_type=mime, headers=headers)


async def public_report(request: Request) -> Response:
    """The public report page's backend: no session needed, no name asked (reporter_id NULL)."""
    body = await json_body(request)
    ip = request.client.host if request.client else "unknown"  # only its keyed hash is kept
    report_id = await reports.public_report(services_of(request), ip, body)
    return JSONResponse({"report": report_id}, status_code=201)


async def _session_owner(request: Request) -> Person:
    """Suspended people keep this much: reading their decisions and appealing them (DSA art. 17, 20)."""
    person = await people.session_owner(services_of(request), request.cookies.get(SESSION_COOKIE))
    if person is None:
        raise PapoteRefusal("not_authenticated")
    return person


async def my_decisions(request: Request) -> Response:
    person = await _session_owner(request)
    found = await decisions.decisions_about(services_of(request), person)
    return JSONResponse({"decisions": found})


async def file_appeal(request: Request) -> Response:
    body = await json_body(request)
    person = await _session_owner(request)
    appeal_id = await appeals.appeal(
        services_of(request), person, body.get("decision_id"), body.get("text", "")
    )
    return JSONResponse({"appeal": appeal_id}, status_code=201)


async def moderator_image(request: Request) -> Response:
    """Evidence photos in the console: preview (blurred) first, the photo only when the moderator asks."""
    person = await current_person(request)
    services = services_of(request)
    moderator = await permissions.moderator(services, person)
    message_id = int(request.path_params["message_id"])
    variant = request.path_params["variant"]
    data, mime = await images.fetch_for_moderator(services, moderator.check, message_id, variant)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=mime, headers=headers)


async def admin_set_role(request: Request) -> Response:
    body = await json_body(request)
    admin = await permissions.administrator(services_of(request), await current_person(request))
    room = _str(body, "room") or None
    previous = await permissions.set_role(
        services_of(request),
        _str(body, "pseudo"),
        _str(body, "role"),
        room,
        actor_kind="admin",
        actor_id=admin.id,
    )
    return JSONResponse({"previous": previous, "role": _str(body, "role")})


async def admin_transparency(request: Request) -> Response:
    """The transparency report for administrators, in the console (the same figures as the CLI's)."""
    services = services_of(request)
    await permissions.administrator(services, await current_person(request))
    try:
        start = dt.date.fromisoformat(request.query_params.get("from", ""))
        end = dt.date.fromisoformat(request.query_params.get("to", ""))
    except ValueError as error:
        raise PapoteRefusal("bad_request", details={"expected": "from=YYYY-MM-DD&to=YYYY-MM-DD"}) from error
    form = request.query_params.get("format", "html")
    if form not in transparency.FORMATS or end < start:
        raise PapoteRefusal("bad_request", details={"field": "format" if end >= start else "to"})
    async with services.engine.connect() as connection:
        report = await transparency.build(connection, start, end)
    media = {"html": "text/html", "json": "application/json", "csv": "text/csv"}[form]
    return Response(transparency.FORMATS[form](report), media_type=f"{media}; charset=utf-8")


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "hub": request.app.state.hub.statistics()})


def wrap(endpoint: Any) -> Any:
    async def guarded(request: Request) -> Response:
        try:
            response: Response = await endpoint(request)
            return response
        except PapoteRefusal as refusal:
            return refusal_response(refusal)

    return guarded


ROUTES = [
    Route("/api/enter", wrap(enter), methods=["POST"]),
    Route("/api/register", wrap(register), methods=["POST"]),
    Route("/api/login", wrap(login), methods=["POST"]),
    Route("/api/logout", wrap(logout), methods=["POST"]),
    Route("/api/me", wrap(me), methods=["GET"]),
    Route("/api/rooms", wrap(list_rooms), methods=["GET"]),
    Route("/api/images", wrap(upload_image), methods=["POST"]),
    Route("/api/messages/{message_id:int}/{variant}", wrap(message_image), methods=["GET"]),
    Route("/api/reports", wrap(public_report), methods=["POST"]),
    Route("/api/moderation/messages/{message_id:int}/{variant}", wrap(moderator_image), methods=["GET"]),
    Route("/api/decisions", wrap(my_decisions), methods=["GET"]),
    Route("/api/admin/roles", wrap(admin_set_role), methods=["POST"]),
    Route("/api/admin/transparency", wrap(admin_transparency), methods=["GET"]),
    Route("/api/appeals", wrap(file_appeal), methods=["POST"]),
    Route("/api/health", health, methods=["GET"]),
]
