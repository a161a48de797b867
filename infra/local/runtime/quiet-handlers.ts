/**
 * Handler logging in the local runtime: warnings and errors by default,
 * everything with `--verbose`. Imported first by the local runtime's entry,
 * because the handlers' logger and metrics read these once, when the runtime's
 * own imports load them — before `startLocal` runs. A value already in the
 * environment wins.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
