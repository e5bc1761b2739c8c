"""Form fields shared by the public and the moderation side."""

from django import forms


class TextField(forms.CharField):
    """A field for what people write: NUL characters are removed, not refused.

    The API removes them as the documented normalisation says (PostgreSQL cannot
    store one); the HTML forms do the same instead of turning down the whole
    text for a character nobody sees.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return super().to_python(value)


def problems(form, *, labelled: bool = False) -> str:
    """A form's errors in plain words, each said once: the fields' own messages,
    which each form words for its readers (``error_messages``); ``labelled`` puts
    each field's label before Django's own messages, which do not name it."""
    if labelled:
        return " ".join(f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())
    return " ".join(dict.fromkeys(message for errors in form.errors.values() for message in errors))
