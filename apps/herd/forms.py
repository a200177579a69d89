from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField
from apps.core.uploads import PhotoField, rename_by_content

from .models import Animal, AnimalEvent, DisposalReason, OutsideSire, Sex, Species, Status


class BreedSelect(forms.Select):
    """Breeds grouped by species, each option marked with its species so the page can show only
    the chosen species' breeds (every species has its own "Crossbreed")."""

    species_of: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        species = self.species_of.get(str(value))
        if species:
            option["attrs"]["data-species"] = species
        return option


class AnimalForm(forms.ModelForm):
    class Meta:
        model = Animal
        fields = [
            "tag", "name", "species", "breed", "sex", "farm", "group", "date_of_birth", "birth_date_estimated", "eid",
            "colour", "markings", "dam", "dam_external", "genetic_dam", "sire", "sire_external", "registered_sire", "castrated", "castrated_on",
            "acquisition", "acquired_on", "purchase_price", "seller", "status", "status_on", "status_reason", "photo",
        ]
        field_classes = {
            **{name: FarmDateField for name in ("date_of_birth", "castrated_on", "acquired_on", "status_on")},
            "photo": PhotoField,
        }
        widgets = {
            "purchase_price": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "breed": BreedSelect(attrs={"class": "js-breed"}),
        }

    def __init__(self, *args, farms, groups, breeds, females, males, outside_sires, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["group"].queryset = groups
        self.fields["breed"].queryset = breeds
        breed_list = list(breeds.order_by("species", "name"))
        labels = dict(Species.choices)
        widget = self.fields["breed"].widget
        widget.species_of = {str(b.pk): b.species for b in breed_list}
        grouped: dict[str, list] = {}
        for breed in breed_list:
            grouped.setdefault(labels.get(breed.species, breed.species), []).append((breed.pk, breed.name))
        self.fields["breed"].choices = [("", _("---------")), *grouped.items()]
        self.fields["dam"].queryset = females
        self.fields["genetic_dam"].queryset = females
        self.fields["sire"].queryset = males
        self.fields["registered_sire"].queryset = outside_sires
        self.fields["photo"].widget.attrs["accept"] = "image/*"
        for name in ("dam", "genetic_dam", "sire", "registered_sire", "group", "breed"):
            self.fields[name].required = False

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            rename_by_content(photo, "photo")
        return photo

    def _post_clean(self):
        # Model-level validation happens in the service, which sees the whole picture.
        pass


class QuickAnimalForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    species = forms.ChoiceField(label=_("Species"), choices=Species.choices, initial=Species.CATTLE)
    # A blank first choice: a browser sends the first option of a select, and an untouched line
    # must arrive unchanged so the formset skips it.
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Sex…")), *Sex.choices])
    date_of_birth = FarmDateField(label=_("Date of birth"), required=False)


QuickAddFormSet = forms.formset_factory(QuickAnimalForm, extra=5, max_num=50, min_num=1, validate_min=True)


class QuickAddFarmForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms


class ImportForm(QuickAddFarmForm):
    file = forms.FileField(label=_("CSV file"), help_text=_("At most 2,000 rows and 2 MB; split a larger herd into several files."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it into smaller files."))
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file (download the template below)."))
        return upload


class AsOfForm(forms.Form):
    on = FarmDateField(label=_("As it was on"))



class OutsideSireForm(forms.ModelForm):
    """An outside sire and, for the coefficients of inbreeding, his parents and maternal grandsire."""

    dam_name = forms.CharField(label=_("His dam"), max_length=120, required=False)
    dam_registration = forms.CharField(label=_("His dam's registration number"), max_length=60, required=False)
    maternal_grandsire = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("—"),
                                                label=_("His maternal grandsire (dam's sire)"))

    class Meta:
        model = OutsideSire
        fields = ["name", "species", "breed", "registration_number", "semen_code", "owner", "sire"]
        labels = {"sire": _("His sire (from the register)")}

    def __init__(self, *args, breeds, owners, males, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["breed"].queryset = breeds
        self.fields["owner"].queryset = owners
        self.fields["sire"].queryset = males.exclude(pk=self.instance.pk) if self.instance.pk else males
        self.fields["maternal_grandsire"].queryset = self.fields["sire"].queryset
        dam = self.instance.dam if self.instance.pk and self.instance.dam_id else None
        if dam is not None:
            self.initial.update(dam_name=dam.name, dam_registration=dam.registration_number,
                                maternal_grandsire=dam.sire_id)


class BullListForm(forms.Form):
    upload = forms.FileField(label=_("Bull list (CSV)"))

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file (download the template below)."))
        if upload.size > 2_000_000:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class EventForm(forms.Form):
    """One event of an animal's life; the page shows the fields its kind needs."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AnimalEvent.Kind.choices, widget=forms.HiddenInput)
    on = FarmDateField(label=_("On"))
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), max_digits=7, decimal_places=1, min_value=0, max_value=2000,
                                   required=False, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}))
    method = forms.ChoiceField(choices=AnimalEvent.Method.choices, required=False, label=_("How"))
    to_farm = forms.ModelChoiceField(queryset=None, required=False, label=_("To farm"))
    to_group = forms.ModelChoiceField(queryset=None, required=False, label=_("To group"), empty_label=_("— no group —"))
    exit_status = forms.ChoiceField(choices=[("", _("—")), (Status.SOLD, _("Sold")), (Status.DEAD, _("Died")), (Status.CULLED, _("Culled"))],
                                    required=False, label=_("Left as"))
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("—")), *DisposalReason.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, farms, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_farm"].queryset = farms
        self.fields["to_group"].queryset = groups


GROUP_ACTIONS = [("weight", _("Weigh")), ("movement", _("Move")), ("weaning", _("Wean"))]


class GroupActionForm(forms.Form):
    kind = forms.ChoiceField(choices=GROUP_ACTIONS, widget=forms.RadioSelect, label=_("Action"))
    on = FarmDateField(label=_("On"))
    method = forms.ChoiceField(choices=AnimalEvent.Method.choices, required=False, label=_("How weighed"))
    to_farm = forms.ModelChoiceField(queryset=None, required=False, label=_("Move to farm"))
    to_group = forms.ModelChoiceField(queryset=None, required=False, label=_("Move to group"), empty_label=_("— no group —"))

    def __init__(self, *args, farms, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_farm"].queryset = farms
        self.fields["to_group"].queryset = groups


class GroupForm(forms.Form):
    name = forms.CharField(label=_("New group or pen"), max_length=80)
