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
}
MESSAGES.update({
    "find.sort_by": {"en": "Sort by", "zh": "排序依据"},
    "find.all": {"en": "All", "zh": "全部"},
    "find.contact": {"en": "contact {name}", "zh": "联系人 {name}"},
    "find.sort.code": {"en": "Code", "zh": "客户编号"},
    "find.sort.name": {"en": "Name", "zh": "客户名称"},
    "find.sort.revenue_12m": {"en": "Revenue, last 12 months", "zh": "近12个月收入"},
    "find.sort.last_purchase": {"en": "Last purchase", "zh": "最近购买日期"},
    "find.sort.abc": {"en": "ABC class", "zh": "ABC 分类"},
    "find.sort.sales_rep": {"en": "Owner (sales rep)", "zh": "负责业务员"},
    "find.direction": {"en": "Order", "zh": "顺序"},
    "find.direction.asc": {"en": "Ascending", "zh": "升序"},
    "find.direction.desc": {"en": "Descending", "zh": "降序"},
    "find.sort_help": {"en": "Sorts all {count} matches, not just this page. Blanks come last either way.",
                       "zh": "对全部 {count} 位匹配客户排序，而不只是本页。空白的排在最后。"},
    "find.col.revenue_12m": {"en": "Revenue, last 12 months", "zh": "近12个月收入"},
    "find.col.revenue_12m_help": {"en": "Net revenue from {start} to {end} (the analysis date): refunds subtracted.",
                                  "zh": "{start} 至 {end}（分析日期）的净收入，已扣除退款。"},
    "find.col.last_purchase": {"en": "Last purchase", "zh": "最近购买日期"},
    "find.col.last_purchase_help": {"en": "The last day with a purchase, up to the analysis date {end}.",
                                    "zh": "截至分析日期 {end} 的最后一次购买日期。"},
    "find.col.abc": {"en": "Class (ABC)", "zh": "ABC 分类"},
    "find.col.abc_help": {"en": "As on the Segmentation page for the same period: revenue from {start} to {end}, "
                                "A = top 5 %, B = next 15 %, C = the rest; blank = no net purchase.",
                          "zh": "与客户细分页面同一期间的分类：按 {start} 至 {end} 的收入排名，A 类为前 5%，"
                                "B 类为其后 15%，其余为 C 类；空白表示该期间没有净购买。"},
})
