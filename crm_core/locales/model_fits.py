"""Texts of the models fitted in the background (crm_core.model_fits): the fit's age on the pages
that show one, and the Admin page's names of the fit jobs."""

MESSAGES = {
    "fits.age.now": {"en": "Model fitted just now on data up to {day}.", "zh": "模型刚刚拟合，基于截至 {day} 的数据。"},
    "fits.age.minutes": {"en": "Model fitted {n} min ago on data up to {day}.",
                         "zh": "模型拟合于 {n} 分钟前，基于截至 {day} 的数据。"},
    "fits.age.hours": {"en": "Model fitted {n} {n!p:hour|hours} ago on data up to {day}.",
                       "zh": "模型拟合于 {n} 小时前，基于截至 {day} 的数据。"},
    "fits.age.days": {"en": "Model fitted {n} {n!p:day|days} ago on data up to {day}.",
                      "zh": "模型拟合于 {n} 天前，基于截至 {day} 的数据。"},
    "fits.age.help": {
        "en": "Models are fitted in the background after the data changes (about a minute after an import), "
              "never while a page waits. This fit took {seconds} s.",
        "zh": "数据变化后（导入后约一分钟内），模型会在后台重新拟合，不会让页面等待。本次拟合用时 {seconds} 秒。"},
    "fits.stale": {
        "en": "Newer data has arrived since: the model is being refitted in the background (since {time}); "
              "until then the figures below are from the fit above.",
        "zh": "此后已有新数据：模型正在后台重新拟合（{time} 开始），完成前下面的数字仍来自上述拟合。"},
    "fits.pending": {
        "en": "The model for {day} is being fitted in the background (started {time}). It usually takes "
              "seconds to a few minutes; this page shows it as soon as it is ready.",
        "zh": "{day} 的模型正在后台拟合（{time} 开始），通常需要几秒到几分钟，完成后本页会自动显示。"},
    "fits.no_runner": {
        "en": "Background jobs do not run in this app process: the fit waits for the process that runs them.",
        "zh": "本应用进程不运行后台任务：拟合需等待运行后台任务的进程完成。"},
    "churn.model.reading": {"en": "Reading the purchase model…", "zh": "正在读取购买模型…"},
    # the scheduled jobs (crm_core.scheduler.Job.name) and what a run did
    "scheduler.job.churn_model_fits": {"en": "Fit the purchase model and purchase rhythms, keep each customer's activity",
                                       "zh": "拟合购买模型与购买节奏，预算每位客户的活跃情况"},
    "scheduler.job.care_model_fits": {"en": "Fit the replenishment forecast", "zh": "拟合补货预测"},
    "scheduler.result.fitted": {"en": "{count} {count!p:model|models} fitted", "zh": "拟合模型 {count} 个"},
}
