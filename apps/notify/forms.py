from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import CHANNELS, KINDS


class NotifySettingsForm(forms.Form):
    """A checkbox per kind and channel (a browser sends only the ticked ones), quiet hours and the digest."""

    quiet_start = forms.TimeField(label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    digest = forms.BooleanField(label=_("Send me one email a day (07:00) instead of one each; urgent ones still come at once"),
                                required=False)

    def __init__(self, *args, chosen: dict[str, tuple[str, ...]], **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = []
        for kind_key, kind in KINDS.items():
            row = {"kind": kind_key, "label": kind.label, "urgent": kind.urgent, "cells": []}
            for channel, channel_label in CHANNELS.items():
                name = f"k_{kind_key}_{channel}"
                self.fields[name] = forms.BooleanField(required=False, initial=channel in chosen[kind_key],
                                                       label=f"{kind.label}: {channel_label}")
                row["cells"].append(name)
            self.grid.append(row)

    def rows(self) -> list[dict]:
        return [{**row, "fields": [self[name] for name in row["cells"]]} for row in self.grid]

    def channels(self) -> dict[str, list[str]]:
        return {kind: [c for c in CHANNELS if self.cleaned_data.get(f"k_{kind}_{c}")] for kind in KINDS}


class PushSubscriptionForm(forms.Form):
    endpoint = forms.CharField(label=_("Endpoint"), max_length=800)
    p256dh = forms.CharField(label=_("P256dh"), max_length=200)
    auth = forms.CharField(label=_("Auth"), max_length=60)
