"""Property-based tests of the entry form's validators: no input breaks them."""
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_core.i18n import CATALOG
from crm_core.models import CustomerIn, field_errors

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
FIELDS = list(CustomerIn.model_fields)
ERROR_TEXTS = {texts[lang].split("{")[0] for texts in CATALOG.values() for lang in ("en", "zh")}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), st.one_of(TEXT, st.integers(), st.floats(), st.none()), max_size=8),
       st.sampled_from(["en", "zh"]))
def test_any_input_is_accepted_or_refused_with_catalog_messages(values, lang):
    try:
        CustomerIn.model_validate({"code": "C1", "name": "x", **values})
    except ValidationError as error:
        messages = field_errors(error, lang)
        assert messages
        for field, message in messages.items():
            assert field in FIELDS
            assert any(message.startswith(prefix) for prefix in ERROR_TEXTS if prefix), message


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "+86 ", "0086", "+86-"]))
def test_every_mainland_mobile_is_accepted_with_or_without_prefix(number, prefix):
    assert CustomerIn(code="C1", name="x", phone=prefix + number).phone == number


@given(st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and not s.strip().isdigit()))
def test_postal_codes_that_are_not_six_digits_are_refused_in_china(postal):
    try:
        customer = CustomerIn(code="C1", name="x", postal_code=postal)
    except ValidationError as error:
        assert "postal_code" in field_errors(error, "en")
    else:
        assert len(customer.postal_code) == 6 and customer.postal_code.isdigit()


@given(st.dates(min_value=date(1900, 1, 1), max_value=date.today() + timedelta(days=3650)))
def test_birthday_accepted_exactly_when_not_in_the_future(day):
    try:
        CustomerIn(code="C1", name="x", birthday=day)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (day <= date.today())


@given(st.text(max_size=200))
def test_names_are_kept_as_typed_apart_from_outer_spaces(name):
    try:
        customer = CustomerIn(code="C1", name=name)
    except ValidationError:
        return
    assert customer.name.strip() == customer.name
    assert len(customer.name) <= len(name)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86", "0086", "86", "(+86)"]),
       st.lists(st.sampled_from([" ", "-", ".", "  ", " - "]), min_size=2, max_size=2))
def test_a_mobile_with_any_prefix_and_separators_is_stored_as_its_eleven_digits(number, prefix, seps):
    typed = f"{prefix}{seps[0]}{number[:3]}{seps[1]}{number[3:7]}{seps[0]}{number[7:]}"
    assert CustomerIn(code="C1", name="x", phone=typed).phone == number


@given(st.sampled_from(["010", "021", "0755", "0571"]), st.from_regex(r"[2-8][0-9]{6,7}", fullmatch=True),
       st.sampled_from(["{a}-{n}", "({a}){n}", "（{a}）{n}", "{a} {n}", "[{a}]{n}", "+86 {b} {n}", "+86 (0){b}-{n}"]),
       st.sampled_from(["", "转8001", " ext. 8001", "x8001", "#8001", "-8001"]))
def test_a_landline_in_any_bracket_style_is_stored_in_one_form(area, local, style, extension):
    typed = style.format(a=area, b=area[1:], n=local) + extension
    expected = f"{area}-{local}" + ("-8001" if extension else "")
    assert CustomerIn(code="C1", name="x", phone=typed).phone == expected


@given(st.text(alphabet="0123456789 -+()#x转（）86", min_size=3, max_size=24))
def test_a_normalised_phone_normalises_to_itself(typed):
    try:
        phone = CustomerIn(code="C1", name="x", phone=typed).phone
    except ValidationError:
        return
    assert CustomerIn(code="C1", name="x", phone=phone).phone == phone
