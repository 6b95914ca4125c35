DROP TABLE export_forms;
