"""Display text for finding customers (the customer picker, the sidebar search, the Customers list's sort)."""

MESSAGES = {
    "find.customer": {"en": "Customer", "zh": "客户"},
    "find.customer_optional": {"en": "Customer (optional: none = anonymous)", "zh": "客户（可不填：不填即匿名）"},
    "find.placeholder": {"en": "Code, name, pinyin initials (njjx), phone or contact",
                         "zh": "编号、名称、拼音首字母（如 njjx）、电话或联系人"},
    "find.help": {"en": "Type part of the code, name, phone or contact person, or the first letters of the name "
                        "in pinyin (njjx finds 南京金信). Only the customers you may see are searched.",
                  "zh": "输入编号、名称、电话或联系人的一部分，或名称的拼音首字母（njjx 可找到南京金信）。"
                        "只在您有权查看的客户中查找。"},
    "find.choose": {"en": "{count} matches: choose one", "zh": "找到 {count} 位客户，请选择"},
    "find.choose_more": {"en": "First {count} matches: choose one, or type more",
                         "zh": "前 {count} 位匹配的客户：请选择，或再多输入几个字"},
    "find.match": {"en": "Matching customers", "zh": "匹配的客户"},
    "find.none": {"en": "No customer you may see matches “{text}”.", "zh": "在您可查看的客户中，没有与“{text}”匹配的。"},
    "find.chosen": {"en": "Chosen: {customer}", "zh": "已选：{customer}"},
    "find.nobody": {"en": "No customer chosen", "zh": "尚未选择客户"},
    "find.clear": {"en": "No customer", "zh": "不关联客户"},
    "find.global": {"en": "Find a customer", "zh": "查找客户"},
    "find.global_placeholder": {"en": "Name, code, njjx, phone…", "zh": "名称、编号、拼音首字母、电话…"},
    "find.open": {"en": "Open {customer}", "zh": "打开 {customer}"},
}
