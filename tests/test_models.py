"""Validation rules of the master file and their messages in both languages."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from crm_core.models import CustomerIn, field_errors


def errors_of(lang="en", **values):
    with pytest.raises(ValidationError) as caught:
        CustomerIn.model_validate({"code": "C1", "name": "客户", **values})
    return field_errors(caught.value, lang)


def test_a_complete_valid_customer_is_normalised():
    customer = CustomerIn.model_validate({
        "code": " C0001 ", "name": "上海华鑫贸易有限公司", "customer_type": "corporate", "region": "East China",
        "phone": "+86 138 1234 5678", "postal_code": "２０００００", "credit_limit": "50000.00",
        "birthday": "1980-02-29", "email": "a@b.cn"})
    assert customer.code == "C0001"
    assert customer.region == "华东"
    assert customer.phone == "13812345678"
    assert customer.postal_code == "200000"  # full-width digits folded
    assert customer.credit_limit == Decimal("50000.00")


@pytest.mark.parametrize("phone", ["13812345678", "010-12345678", "0755-1234567", "021-12345678-123"])
def test_mainland_phone_formats_accepted(phone):
    assert CustomerIn(code="C1", name="x", phone=phone).phone == phone


def test_bad_mainland_phone_names_the_format_in_both_languages():
    assert errors_of("en", phone="12345")["phone"].startswith("Not a mainland-China phone number")
    assert errors_of("zh", phone="12345")["phone"].startswith("不是有效的中国大陆电话")


def test_foreign_phone_allowed_with_a_country():
    customer = CustomerIn(code="C1", name="x", country="us", phone="+1 (415) 555-0100", postal_code="94103-1234")
    assert customer.country == "US"


def test_postal_code_must_have_six_digits_in_china():
    assert errors_of("en", postal_code="12345") == {"postal_code": "A mainland-China postal code has 6 digits, "
                                                                   "e.g. 200000."}


def test_credit_limit_cannot_be_negative():
    assert errors_of("zh", credit_limit="-1")["credit_limit"] == "信用额度不能为负数：请填写 0 或以上。"


def test_birthday_not_in_the_future():
    tomorrow = date.today() + timedelta(days=1)
    assert errors_of("en", birthday=tomorrow)["birthday"] == "The birthday is in the future: check the year."


def test_missing_name_and_bad_type_are_reported_per_field():
    with pytest.raises(ValidationError) as caught:
        CustomerIn.model_validate({"code": "C1", "name": "  ", "customer_type": "vip"})
    problems = field_errors(caught.value, "en")
    assert problems["name"] == "Required: fill this in."
    assert problems["customer_type"] == ("Not one of the allowed values: choose Corporate (group), Channel (dealer) "
                                         "or Individual / household.")
    assert field_errors(caught.value, "zh")["customer_type"] == "不是允许的取值：请选择集团客户、渠道客户或个人客户。"


def test_code_with_spaces_rejected():
    assert errors_of("en", code="C 1")["code"] == "The customer code may not contain spaces: remove them."


def test_chinese_punctuation_is_kept_and_full_width_ascii_folded():
    customer = CustomerIn(code="Ｃ００１", name="　王永庆米店　", preferences="靠窗座位，常点中式早餐。")
    assert customer.code == "C001"
    assert customer.name == "王永庆米店"
    assert customer.preferences == "靠窗座位，常点中式早餐。"


def test_free_text_is_stored_as_typed_like_the_import_does():
    from crm_core.ingest.kinds import NAME_RULE

    typed = "ＡＢＣ商行（上海）"
    assert CustomerIn(code="C1", name=typed).name == typed
    assert NAME_RULE.py(typed).value == typed
    assert CustomerIn(code="Ｃ－１", name="x", phone="１３８１２３４５６７８").phone == "13812345678"


def test_excel_scientific_notation_is_refused_in_codes_and_phones_with_the_value():
    assert errors_of("en", code="1.10101199003071E+17")["code"].startswith(
        "Excel has already lost digits here: it keeps only 15 significant digits and showed this number as "
        "1.10101199003071E+17,")
    assert errors_of("zh", phone="1.38E+10")["phone"].startswith("Excel 把这个电话号码变成了 1.38E+10，")
    assert CustomerIn(code="1E5", name="x").code == "1E5"  # Excel always writes the exponent's sign


@pytest.mark.parametrize(("typed", "stored"), [
    ("+86 138-0013-8000", "13800138000"), ("（021）1234-5678", "021-12345678"), ("400-820-8820", "4008208820"),
    ("95588", "95588"), ("021-12345678转8001", "021-12345678-8001"), ("0755 1234567 ext. 12", "0755-1234567-12")])
def test_chinese_phone_forms_stored_normalised_with_what_was_typed(typed, stored):
    customer = CustomerIn(code="C1", name="x", phone=typed)
    assert (customer.phone, customer.phone_typed) == (stored, None if typed == stored else typed)
