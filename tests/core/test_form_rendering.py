"""The form renderer writes inputs and selects without the template engine: the HTML must be what Django's own
widget templates give, escaping included, or the fast path is wrong."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from apps.core.forms import FormRenderer, _fast_widget


class Everything(forms.Form):
    text = forms.CharField(initial='say "<hi>" & go', widget=forms.TextInput(attrs={"placeholder": "a<b", "autofocus": True, "data-off": False}))
    number = forms.IntegerField(min_value=0)
    grouped = forms.ChoiceField(choices=[("", "---"), ("1", "One & <two>"), ("Group <g>", [("x", "X"), ("y", "Y")])], initial="y")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    many = forms.MultipleChoiceField(choices=[("1", "a"), ("2", "b")], initial=["1", "2"])
    email = forms.EmailField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    maybe = forms.NullBooleanField()
    price = forms.DecimalField(initial=12.5)
    password = forms.CharField(widget=forms.PasswordInput)
    when = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))


BOUND = {"text": "q\"'<script>", "number": "3", "grouped": "x", "day": "2020-01-01", "many": ["2"], "maybe": "true",
         "price": "oops", "when": "07:30", "password": "secret"}


@pytest.mark.parametrize("data", [None, BOUND], ids=["unbound", "bound"])
def test_fast_widgets_write_what_the_templates_write(data):
    reference = TemplatesSetting()
    form = Everything(data)
    for field in form:
        widget = field.field.widget
        context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs({"id": field.auto_id}))
        fast = _fast_widget(widget.template_name, context["widget"])
        assert fast is not None, f"{field.name} took the slow path"
        assert fast == reference.render(widget.template_name, context), field.name


def test_other_widgets_still_go_through_their_templates():
    form = Everything()
    radio = forms.RadioSelect(choices=[("a", "A")])
    context = radio.get_context("r", "a", {"id": "id_r"})
    assert _fast_widget(radio.template_name, context["widget"]) is None
    assert 'type="radio"' in FormRenderer().render(radio.template_name, context)
    assert str(form["text"]).startswith('<input type="text" name="text" value="say &quot;&lt;hi&gt;&quot; &amp; go"')


@pytest.mark.django_db
def test_choices_from_a_list_draw_the_same_select_without_a_query(owner, farm, other_farm, django_assert_num_queries):
    """A farm picker drawn from the request's farm list: the same options as from its queryset, no query to draw
    it, and a choice is still checked against the queryset."""
    from django_scopes import scope

    from apps.core.forms import choices_from
    from apps.farms.models import Farm

    class Picker(forms.Form):
        farm = forms.ModelChoiceField(queryset=None, empty_label="All farms")

    with scope(tenant=owner.tenant_id):
        queryset = Farm.objects.filter(tenant_id=owner.tenant_id).order_by("name")
        plain = Picker({"farm": str(farm.pk)})
        plain.fields["farm"].queryset = queryset
        listed = Picker({"farm": str(farm.pk)})
        listed.fields["farm"].queryset = queryset
        choices_from(listed.fields["farm"], list(queryset))
        expected = str(plain["farm"])
        assert listed.is_valid() and listed.cleaned_data["farm"] == farm  # checked against the queryset (one query)
        with django_assert_num_queries(0):
            assert str(listed["farm"]) == expected
        assert "All farms" in expected and "Far Field" in expected and "selected" in expected
        outsider = Picker({"farm": "999999"})
        outsider.fields["farm"].queryset = queryset
        choices_from(outsider.fields["farm"], list(queryset))
        assert not outsider.is_valid()
