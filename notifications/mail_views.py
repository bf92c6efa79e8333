"""Series subscriptions on the site (forms that work without JavaScript), and resending mail.

URLs in ``mail_urls.py``: ``/series/<slug>/subscribe/`` (GET: the form; POST: subscribe),
``/series/<slug>/unsubscribe/``, ``/series/<slug>/confirm/<token>/`` (GET shows a button, POST
confirms: link scanners open every link in a mail, and must not confirm for the reader), and
``/roundups/<slug>/deliveries/resend/`` for the author.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from forum import ratelimit
from forum.errors import ServiceError
from forum.http import login_to_act
from roundups.models import Roundup, Series

from . import delivery, subscriptions


def _back(request, series):
    """Where the form was (the series or a roundup page), else the series page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}) and target.startswith("/"):
        return redirect(target)
    return redirect(series)


@require_http_methods(["GET", "POST"])
def subscribe(request, slug):
    """Subscribe: a signed-in reader in one click, anyone else by address (double opt-in)."""
    series = get_object_or_404(Series, slug=slug)
    context = {"series": series, "email": ""}
    if request.method == "GET":
        return render(request, "notifications/subscribe.html", context)
    try:
        if "email" in request.POST:
            context["email"] = request.POST["email"][:300]
            done = subscriptions.address_subscribe(
                series=series,
                email=request.POST["email"],
                client=ratelimit.client_address(request),
            )
        else:
            subscriptions.reader_subscribe(user=request.user, series=series)
            done = f"Each new roundup of “{series.name}” will be mailed to {request.user.email}."
    except ServiceError as error:
        context["error"] = error.message
        response = render(request, "notifications/subscribe.html", context, status=error.status)
        if getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)
        return response
    messages.success(request, done)
    return _back(request, series)


@require_POST
@login_to_act
def unsubscribe(request, slug):
    """The page's "stop" button, for a signed-in reader."""
    series = get_object_or_404(Series, slug=slug)
    subscriptions.reader_unsubscribe(user=request.user, series=series)
    messages.success(request, f"No more roundups of “{series.name}” by mail.")
    return _back(request, series)


@require_http_methods(["GET", "POST"])
def confirm(request, slug, token):
    """The confirmation link of a double opt-in mail: GET asks, POST confirms."""
    series = get_object_or_404(Series, slug=slug)
    context = {"series": series}
    try:
        if request.method == "POST":
            context["row"] = subscriptions.confirm(token)
            context["done"] = True
        else:
            context["row"] = subscriptions.read_confirm_token(token)
    except ServiceError as error:
        context["error"] = error.message
        return render(request, "notifications/confirm.html", context, status=error.status)
    return render(request, "notifications/confirm.html", context)


@require_POST
@login_to_act
def resend_unknown(request, slug):
    """Queue again the deliveries whose outcome is unknown (the author's decision)."""
    roundup = get_object_or_404(Roundup, slug=slug)
    try:
        again = delivery.resend_unknown(roundup=roundup, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(roundup)
    messages.success(request, f"{again} mail{'s' if again != 1 else ''} queued again.")
    return redirect("roundups:edit", roundup.slug)
