"""Saved views and the view kept in the URL (issue 17)."""

MESSAGES = {
    "views.title": {"en": "My views", "zh": "我的视图"},
    "views.name": {"en": "Name of this view", "zh": "视图名称"},
    "views.name_help": {"en": "Saves this page with its filters, period and open tab; open it again from the list below.",
                        "zh": "保存本页及其筛选条件、期间和当前标签页，之后可在下方列表中再次打开。"},
    "views.save": {"en": "Save this view", "zh": "保存当前视图"},
    "views.saved": {"en": "Saved “{name}”.", "zh": "已保存“{name}”。"},
    "views.none": {"en": "No saved views yet.", "zh": "还没有保存的视图。"},
    "views.delete": {"en": "Delete", "zh": "删除"},
    "views.delete_help": {"en": "Delete the view “{name}”", "zh": "删除视图“{name}”"},
    "views.deleted": {"en": "Deleted “{name}”.", "zh": "已删除“{name}”。"},
    "views.err.name_empty": {"en": "Give the view a name.", "zh": "请填写视图名称。"},
    "views.err.name_long": {"en": "A view name has at most {max} characters.", "zh": "视图名称最多 {max} 个字符。"},
    "views.err.name_unprintable": {"en": "The name holds characters that cannot be shown.",
                                   "zh": "名称中含有无法显示的字符。"},
    "views.err.too_long": {"en": "This view has too many filters to save.", "zh": "该视图的筛选条件过多，无法保存。"},
    "views.err.too_many": {"en": "You have {max} saved views; delete one first.",
                           "zh": "已保存 {max} 个视图，请先删除一个。"},
}
