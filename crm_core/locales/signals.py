"""Signals (issue 17): card links, the sidebar's promise signal, the demo-data banner, full values
behind compact cards."""

MESSAGES = {
    # Stored yes/no answers named in a message about allowed values (crm_core.models.choices_text).
    "choice.true": {"en": "Yes", "zh": "是"},
    "choice.false": {"en": "No", "zh": "否"},
    "metric.full_value": {"en": "Exactly {value}", "zh": "精确值：{value}"},
    "signals.promises.mine": {"en": "Open promises (mine and my customers')", "zh": "未结承诺（我的及我的客户的）"},
    "signals.promises.all": {"en": "Open promises (everyone you can see)", "zh": "未结承诺（您可查看的全部）"},
    "signals.promises.counts": {
        "en": "{overdue} overdue · {due} due within 24 h",
        "zh": "已超时 {overdue} 个 · 24小时内到期 {due} 个",
    },
    "signals.promises.none": {"en": "Nothing overdue or due within 24 h.", "zh": "没有超时或24小时内到期的承诺。"},
    "signals.promises.board": {"en": "Promise board", "zh": "承诺看板"},
    "signals.demo_banner": {
        "en": "This is demo data ({count} made-up customers). To work with your own, import it on the "
              "**Data import & export** page, or start the app on a new file.",
        "zh": "当前是演示数据（{count} 位虚构客户）。要使用您自己的数据，请在**数据导入导出**页面导入，或用一个新文件启动。",
    },
    "signals.demo_how": {"en": "Starting on a new file", "zh": "如何用新文件启动"},
    "signals.demo_commands": {
        "en": "Imported customers are added beside the demo ones. To start without them, import into a new "
              "file and point the app at it:\n\n```\npython -m crm_core import customers customers.csv "
              "--db data/mine.duckdb\nCRM_DB=data/mine.duckdb streamlit run Home.py\n```",
        "zh": "导入的客户会与演示客户并存。要从零开始，请导入到一个新文件，并让应用使用该文件：\n\n```\n"
              "python -m crm_core import customers 客户.csv --db data/mine.duckdb\n"
              "CRM_DB=data/mine.duckdb streamlit run Home.py\n```",
    },
}
