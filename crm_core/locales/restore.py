"""Texts of a restore that checks the file before it changes anything, and of one backup at a time."""

MESSAGES = {
    "restore.not_duckdb": {
        "en": "“{file}” is not a Kehu backup: it is not a database file of this app, or it is damaged or cut "
              "short. Nothing was changed. Choose a file made with “Make a backup now”.",
        "zh": "“{file}”不是本系统的备份：它不是本系统的数据库文件，或已损坏、不完整。当前数据没有改变。"
              "请选择用“立即备份”生成的文件。"},
    "restore.unreadable": {
        "en": "“{file}” cannot be read (it does not exist, or this app may not open it). Nothing was changed. "
              "Choose the backup file again.",
        "zh": "无法读取“{file}”（文件不存在，或本程序无权打开）。当前数据没有改变。请重新选择备份文件。"},
    "restore.damaged": {
        "en": "“{file}” is damaged: the table {table} cannot be read to the end. Nothing was changed. "
              "Restore another backup.",
        "zh": "“{file}”已损坏：数据表 {table} 无法完整读取。当前数据没有改变。请改用另一份备份恢复。"},
    "restore.no_version": {
        "en": "“{file}” has no valid schema version (its version table is empty or does not hold whole "
              "numbers), so it is not a Kehu backup. Nothing was changed. Choose a backup made by Kehu.",
        "zh": "“{file}”没有有效的结构版本（版本表为空或其中不是整数），因此不是本系统的备份。"
              "当前数据没有改变。请选择本系统生成的备份。"},
    "restore.too_new": {
        "en": "“{file}” was made by a newer version of Kehu (schema version {version}; this app knows up to "
              "{known}). Nothing was changed. Update the app first, then restore.",
        "zh": "“{file}”由更新版本的本系统生成（结构版本 {version}，当前程序最高支持 {known}）。"
              "当前数据没有改变。请先升级程序，再恢复。"},
    "restore.incomplete": {
        "en": "“{file}” lacks what Kehu needs: {objects}. Nothing was changed. Restore a complete backup.",
        "zh": "“{file}”缺少本系统需要的内容：{objects}。当前数据没有改变。请用完整的备份恢复。"},
    "restore.foreign": {
        "en": "“{file}” contains objects Kehu did not create: {objects}. A backup with views, macros or "
              "functions of its own could read files on the server, so it is refused and nothing was "
              "changed. Restore a backup made with “Make a backup now”.",
        "zh": "“{file}”包含本系统没有创建的对象：{objects}。带有自定义视图、宏或函数的备份可能读取服务器上的"
              "文件，因此被拒绝，当前数据没有改变。请用“立即备份”生成的备份恢复。"},
    "restore.cannot_upgrade": {
        "en": "“{file}” could not be brought up to this version of Kehu. Nothing was changed. Restore a "
              "newer backup, or report the file to whoever maintains the app.",
        "zh": "“{file}”无法升级到当前版本的结构。当前数据没有改变。请改用较新的备份，或把该文件交给系统维护人员。"},
    "restore.still_reading": {
        "en": "Other pages kept reading the data, so “{file}” was not restored and nothing was changed. "
              "Try again in a moment.",
        "zh": "其他页面一直在读取数据，因此没有用“{file}”恢复，当前数据没有改变。请稍后再试。"},
    "restore.io_error": {
        "en": "Could not write in {folder} (is the disk full, or is the folder not writable?). The data in "
              "use was not changed. Free some space or fix the folder's permissions, then try again.",
        "zh": "无法在 {folder} 中写入文件（磁盘已满，或文件夹没有写权限？）。当前数据没有改变。"
              "请释放空间或修正文件夹权限后再试。"},
    "restore.busy": {
        "en": "Another backup or restore is running. Try again when it has finished.",
        "zh": "另一项备份或恢复正在进行。请等它完成后再试。"},
    "restore.done": {
        "en": "Restored from “{file}”. The data in use before is kept in {previous}; delete that file when "
              "you no longer need it.",
        "zh": "已从“{file}”恢复。恢复前的数据保存在 {previous}，不再需要时可删除该文件。"},
    "restore.not_pg_dump": {
        "en": "“{file}” is not a team-mode backup: it is not a PostgreSQL dump (pg_dump's custom format). "
              "Nothing was changed. Choose a .dump file made with “Make a backup now” in team mode.",
        "zh": "“{file}”不是团队模式的备份：它不是 PostgreSQL 转储文件（pg_dump 自定义格式）。当前数据没有改变。"
              "请选择在团队模式下用“立即备份”生成的 .dump 文件。"},
    "restore.not_restored": {
        "en": "“{file}” could not be restored, so nothing was changed. It may be damaged, cut short or made by "
              "a newer PostgreSQL. Restore another backup. PostgreSQL said: {error}",
        "zh": "无法用“{file}”恢复，当前数据没有改变。该文件可能已损坏、不完整，或由更新版本的 PostgreSQL 生成。"
              "请改用另一份备份恢复。PostgreSQL 的说明：{error}"},
    "restore.team_busy": {
        "en": "Other users kept writing for {seconds} s (a large import?), so nothing was restored or changed. "
              "Try again when it has finished.",
        "zh": "其他用户连续写入了 {seconds} 秒（可能是大批量导入），因此没有恢复，当前数据没有改变。请等其完成后再试。"},
    "restore.done_team": {
        "en": "Restored from “{file}”. Every app process reloads its copy of the data within a few seconds.",
        "zh": "已从“{file}”恢复。每个应用进程会在几秒内重新载入数据副本。"},
    "restore.and_more": {"en": "and {count} more", "zh": "等另外 {count} 项"},
    "restore.kind.table": {"en": "table", "zh": "数据表"},
    "restore.kind.column": {"en": "column", "zh": "字段"},
    "restore.kind.view": {"en": "view", "zh": "视图"},
    "restore.kind.macro": {"en": "macro", "zh": "宏"},
    "restore.kind.table_macro": {"en": "table macro", "zh": "表宏"},
    "restore.kind.function": {"en": "function", "zh": "函数"},
    "restore.kind.sequence": {"en": "sequence", "zh": "序列"},
    "restore.kind.type": {"en": "type", "zh": "类型"},
    "restore.kind.schema": {"en": "schema", "zh": "模式"},
    "restore.kind.index": {"en": "index", "zh": "索引"},
}
