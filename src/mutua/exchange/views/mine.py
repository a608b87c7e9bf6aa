"""My needs and my tasks: what I asked for, what I help with, what waits for my answer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from mutua.exchange.selectors_mine import my_exchange


@login_required
def mine(request):
    return render(request, "exchange/mine.html", {"mine": my_exchange(viewer=request.user)})
